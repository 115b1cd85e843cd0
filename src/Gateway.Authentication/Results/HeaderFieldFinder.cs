using System.Text;

namespace Gateway.Authentication.Results;

/// <summary>
/// Finds whole header fields by name in a raw header section, as byte ranges (folded lines and terminator
/// included), for the steps that leave fields out or move them: the rest of the section stays byte-identical.
/// </summary>
public static class HeaderFieldFinder
{
    /// <summary>The ranges of every well-formed field whose name <paramref name="matches"/> (names compared as given, ASCII).</summary>
    public static IReadOnlyList<Range> Find(ReadOnlySpan<byte> headerSection, Func<string, bool> matches)
    {
        ArgumentNullException.ThrowIfNull(matches);
        List<Range>? ranges = null;
        var fields = new HeaderFieldRangeEnumerator(headerSection);
        while (fields.MoveNext())
        {
            var field = fields.Current;
            if (field.HasName && matches(Encoding.ASCII.GetString(headerSection[field.Start..field.NameEnd])))
            {
                (ranges ??= []).Add(field.Range);
            }
        }

        return ranges ?? (IReadOnlyList<Range>)[];
    }
}
