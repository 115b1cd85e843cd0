namespace Gateway.Spam.Attachments;

/// <summary>
/// Finds a file's real type from its first octets (<see cref="HeadLength"/> of them are enough for every type
/// known here); the name is only a fallback for scripts, which have no magic number. What the name claims is never
/// trusted over what the content is: "invoice.pdf" that starts with "MZ" is an executable.
/// </summary>
public static class FileSignatures
{
    /// <summary>Octets of a file's start that <see cref="Detect"/> looks at (PDF allows its header within the first 1024).</summary>
    public const int HeadLength = 4096;

    private static readonly string[] ScriptExtensions =
    [
        ".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".ws", ".ps1", ".psm1", ".psd1", ".bat", ".cmd", ".hta",
        ".sh", ".bash", ".csh", ".ksh", ".py", ".pl", ".rb", ".php", ".sct", ".reg", ".inf", ".applescript",

        // Run by a Windows host like scripts: management consoles (MMC) and compiled HTML help.
        ".msc", ".chm",
    ];

    /// <summary>
    /// The type the octets say, else a script by name, else a web page by name (with script or not, as far as
    /// <paramref name="head"/> shows), else null (text, images and everything not listed).
    /// </summary>
    public static FileType? Detect(ReadOnlySpan<byte> head, string? name)
    {
        var type = ByMagic(head);
        if (type is not null)
        {
            return type;
        }

        if (IsScriptName(name))
        {
            return FileType.Script;
        }

        if (IsMarkupName(name))
        {
            return MarkupScript.Contains(head) ? FileType.HtmlScript : FileType.Html;
        }

        return null;
    }

    /// <summary>
    /// Names a browser opens (Windows goes by the name, not the content: a page named .txt opens in Notepad, one
    /// named .html in the browser, whatever either holds).
    /// </summary>
    public static bool IsMarkupName(string? name) =>
        Extension(name) is ".htm" or ".html" or ".shtml" or ".shtm" or ".xhtml" or ".xht" or ".svg" or ".mht" or ".mhtml";

    private static readonly string[] ExecutableExtensions =
    [
        ".exe", ".scr", ".com", ".pif", ".dll", ".cpl", ".msi", ".sys", ".ocx", ".drv", ".efi", ".xll", ".wll",
    ];

    /// <summary>
    /// The type a name alone says, for a file whose content cannot be read (an encrypted member, a member of an
    /// archive we list but do not unpack): Windows runs "setup.exe" whatever it holds, so the name is taken at its
    /// word for executables, shortcuts, Java archives and scripts; null for anything else.
    /// </summary>
    public static FileType? ByName(string? name) => Extension(name) switch
    {
        { } e when ExecutableExtensions.Contains(e, StringComparer.Ordinal) => FileType.Pe,
        ".jar" => FileType.Jar,
        ".lnk" => FileType.Lnk,
        _ => IsScriptName(name) ? FileType.Script : null,
    };

    /// <summary>True when <paramref name="name"/> ends in an extension of a script language or a Windows script host.</summary>
    public static bool IsScriptName(string? name) =>
        Extension(name) is { } extension && ScriptExtensions.Contains(extension, StringComparer.Ordinal);

    /// <summary>
    /// The lower-case extension with its dot, after the trailing dots and spaces Windows ignores ("a.exe. " runs as
    /// "a.exe"); null without one.
    /// </summary>
    public static string? Extension(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var trimmed = name.TrimEnd('.', ' ', '\t');
        var slash = Math.Max(trimmed.LastIndexOf('/'), trimmed.LastIndexOf('\\'));
        var dot = trimmed.LastIndexOf('.');
        return dot > slash && dot < trimmed.Length - 1 ? trimmed[dot..].ToLowerInvariant() : null;
    }

    private static bool Starts(ReadOnlySpan<byte> head, ReadOnlySpan<byte> magic) => head.StartsWith(magic);

    private static FileType? ByMagic(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("MZ"u8))
        {
            return FileType.Pe;
        }

        if (head.StartsWith("\u007fELF"u8))
        {
            return FileType.Elf;
        }

        // Mach-O 32/64-bit in both byte orders, and universal (fat) binaries; 0xCAFEBABE is also a Java class file,
        // which is executable code just the same.
        if (Starts(head, [0xFE, 0xED, 0xFA, 0xCE]) || Starts(head, [0xFE, 0xED, 0xFA, 0xCF])
            || Starts(head, [0xCE, 0xFA, 0xED, 0xFE]) || Starts(head, [0xCF, 0xFA, 0xED, 0xFE])
            || Starts(head, [0xCA, 0xFE, 0xBA, 0xBE]))
        {
            return FileType.MachO;
        }

        // MS-SHLLINK 2.1: header size 0x4C, then the link CLSID 00021401-0000-0000-C000-000000000046.
        if (Starts(head, [0x4C, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46]))
        {
            return FileType.Lnk;
        }

        if (head.StartsWith("#!"u8))
        {
            return FileType.Script;
        }

        if (Starts(head, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            return FileType.Ole;
        }

        if (OneNoteSection.IsOneNote(head))
        {
            return FileType.OneNote;
        }

        // Local file header, end of central directory (an empty zip), or the spanning marker.
        if (head.StartsWith("PK\u0003\u0004"u8) || head.StartsWith("PK\u0005\u0006"u8) || head.StartsWith("PK\u0007\u0008"u8))
        {
            return FileType.Zip;
        }

        if (head.StartsWith("Rar!\u001A\u0007"u8))
        {
            return FileType.Rar;
        }

        if (Starts(head, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]))
        {
            return FileType.SevenZip;
        }

        if (Starts(head, [0x1F, 0x8B]))
        {
            return FileType.Gzip;
        }

        if (head.StartsWith("BZh"u8) && head.Length > 3 && head[3] is >= (byte)'1' and <= (byte)'9')
        {
            return FileType.Bzip2;
        }

        if (Starts(head, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]))
        {
            return FileType.Xz;
        }

        // Cabinet readers check "MSCF" alone (reserved1 after it is whatever the writer left).
        if (head.StartsWith("MSCF"u8))
        {
            return FileType.Cab;
        }

        if (Starts(head, [0x28, 0xB5, 0x2F, 0xFD]))
        {
            return FileType.Zstd;
        }

        // PDF readers accept the header anywhere in the first 1024 octets.
        if (head[..Math.Min(head.Length, 1024)].IndexOf("%PDF-"u8) >= 0)
        {
            return FileType.Pdf;
        }

        return null;
    }
}
