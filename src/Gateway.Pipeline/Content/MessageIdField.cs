using System.Text;

namespace Gateway.Pipeline.Content;

/// <summary>
/// The client's Message-ID field (RFC 5322 3.6.4) as the logs and the trace show it, so that an admin can find a
/// message by the id the sender's or the recipient's mail program shows. It is the client's text, never trusted:
/// only printable ASCII is kept (anything else becomes '?', so no control character reaches a log or a terminal),
/// folding white space is collapsed, and it is cut to <see cref="MaxLength"/> characters.
/// </summary>
internal static class MessageIdField
{
    public const int MaxLength = 200;

    /// <summary>The first Message-ID field's value, cleaned; null when there is none or it is empty.</summary>
    /// <param name="section">The header section, with the empty line that ends it when there is one.</param>
    public static string? ForLog(ReadOnlySpan<byte> section)
    {
        if (HeaderFieldValues.First(section, "Message-ID"u8) is not { } value)
        {
            return null;
        }

        var clean = new StringBuilder(Math.Min(value.Length, MaxLength));
        var space = false;
        foreach (var c in value.AsSpan().Trim(" \t"))
        {
            if (c is ' ' or '\t')
            {
                space = true;
                continue;
            }

            if (space)
            {
                clean.Append(' ');
                space = false;
            }

            clean.Append(c is > ' ' and < '\x7f' ? c : '?');
            if (clean.Length >= MaxLength)
            {
                break;
            }
        }

        return clean.Length > 0 ? clean.ToString() : null;
    }
}
