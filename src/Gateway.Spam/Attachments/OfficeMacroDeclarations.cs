using System.Text;
using System.Xml;

namespace Gateway.Spam.Attachments;

/// <summary>
/// Whether an Office Open XML package declares macros in its package parts ([Content_Types].xml and the .rels files),
/// where Office looks for them: a VBA project is found by its content type and relationship type, not by the name
/// "vbaProject.bin", so "word/media/image9.png" can hold one. Macro-enabled main documents and Excel 4.0 macro
/// sheets (XLM, no VBA at all) count too.
/// </summary>
internal static class OfficeMacroDeclarations
{
    /// <summary>Octets of package parts read per document; legitimate ones are a few KiB, even for large workbooks.</summary>
    public const int MaxLength = 4 * 1024 * 1024;

    // application/vnd.ms-office.vbaProject, .../relationships/vbaProject (and vbaProjectSignature),
    // application/vnd.ms-word.document.macroEnabled.main+xml and kin, application/vnd.ms-excel.macrosheet+xml and
    // .intlmacrosheet+xml, .../relationships/xlMacrosheet.
    private static readonly string[] Markers = ["vbaProject", "macroEnabled", "macrosheet"];

    /// <summary>Whether this package part names a macro part; read as XML (so character references are resolved) and as text.</summary>
    public static bool Mention(ReadOnlySpan<byte> part)
    {
        if (Contains(Encoding.UTF8.GetString(part)) || (HasUtf16Bom(part) && Contains(Encoding.Unicode.GetString(part)))
            || (part.Length > 1 && part[0] == 0xFE && part[1] == 0xFF && Contains(Encoding.BigEndianUnicode.GetString(part))))
        {
            return true;
        }

        return AttributesMention(part.ToArray());
    }

    private static bool HasUtf16Bom(ReadOnlySpan<byte> part) => part.Length > 1 && part[0] == 0xFF && part[1] == 0xFE;

    private static bool Contains(string text)
    {
        foreach (var marker in Markers)
        {
            if (text.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Attribute values as an XML reader gives them: "vba&amp;#80;roject" reads as "vbaProject".</summary>
    private static bool AttributesMention(byte[] part)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxLength,
            IgnoreComments = true,
        };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(part), settings);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.MoveToFirstAttribute())
                {
                    do
                    {
                        if (Contains(reader.Value))
                        {
                            return true;
                        }
                    }
                    while (reader.MoveToNextAttribute());
                }
            }
        }
        catch (XmlException)
        {
            // Office does not open a package whose parts do not parse; the text search above is all there is to do.
        }

        return false;
    }
}
