using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace Gateway.Spam.Attachments;

/// <summary>
/// Whether an Office Open XML package declares macros in its package parts ([Content_Types].xml and the .rels files),
/// where Office looks for them: a VBA project is found by its content type and relationship type, not by the name
/// "vbaProject.bin", so "word/media/image9.png" can hold one. Excel 4.0 macro sheets (XLM, no VBA at all) count
/// too. Only the values Office reads are looked at: a part's ContentType and a relationship's Type, never a link's
/// Target, and not the "macroEnabled" main document types (every .xlsb has one, macros or not).
/// </summary>
internal static partial class OfficeMacroDeclarations
{
    /// <summary>Octets of package parts read per document; legitimate ones are a few KiB, even for large workbooks.</summary>
    public const int MaxLength = 4 * 1024 * 1024;

    /// <summary>Whether this package part names a macro part; read as XML (so character references are resolved).</summary>
    public static bool Mention(ReadOnlySpan<byte> part)
    {
        var bytes = part.ToArray();
        try
        {
            return AttributesMention(bytes);
        }
        catch (XmlException)
        {
            // A part .NET's reader refuses (an encoding it lacks, a stray octet) may still open in Office: its
            // attributes are then read from the text as it stands.
            return TextMentions(Decode(part));
        }
    }

    /// <summary>A ContentType or relationship Type value that names a VBA project or a macro sheet.</summary>
    private static bool Declares(string attribute, string value) =>
        attribute switch
        {
            "ContentType" => value.Contains("vbaProject", StringComparison.OrdinalIgnoreCase) || value.Contains("macrosheet", StringComparison.OrdinalIgnoreCase),
            "Type" => value.EndsWith("/vbaProject", StringComparison.OrdinalIgnoreCase) || value.Contains("macrosheet", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };

    private static bool AttributesMention(byte[] part)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxLength,
            IgnoreComments = true,
        };
        using var reader = XmlReader.Create(new MemoryStream(part), settings);
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.MoveToFirstAttribute())
            {
                do
                {
                    if (Declares(reader.LocalName, reader.Value))
                    {
                        return true;
                    }
                }
                while (reader.MoveToNextAttribute());
            }
        }

        return false;
    }

    private static bool TextMentions(string text)
    {
        try
        {
            foreach (Match match in AttributePattern().Matches(text))
            {
                if (Declares(match.Groups["name"].Value, match.Groups["value"].Value))
                {
                    return true;
                }
            }

            return false;
        }
        catch (RegexMatchTimeoutException)
        {
            // Text that takes a second to read is no part Office wrote: assume the worst.
            return true;
        }
    }

    private static string Decode(ReadOnlySpan<byte> part) =>
        part.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? Encoding.Unicode.GetString(part)
        : part.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? Encoding.BigEndianUnicode.GetString(part)
        : Encoding.Latin1.GetString(part);

    [GeneratedRegex(@"(?<![\w:.-])(?:\w+:)?(?<name>ContentType|Type)\s*=\s*(?<q>[""'])(?<value>[^""']*)\k<q>", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AttributePattern();
}
