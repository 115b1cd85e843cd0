namespace Gateway.Spam.Attachments;

/// <summary>
/// A file's real type, found from its first octets (its magic number), with the category a policy can block as a
/// whole. Names and categories are the words of the policy's spam.attachments.block_types.
/// </summary>
public sealed record FileType(string Name, string Category)
{
    public static FileType Pe { get; } = new("pe", "executable");

    public static FileType Elf { get; } = new("elf", "executable");

    public static FileType MachO { get; } = new("macho", "executable");

    /// <summary>A Java archive: a zip with a manifest and classes, run by double-click where Java is installed.</summary>
    public static FileType Jar { get; } = new("jar", "executable");

    /// <summary>A Windows shell link (.lnk), which runs whatever command line it holds.</summary>
    public static FileType Lnk { get; } = new("lnk", "executable");

    /// <summary>A script: a "#!" first line, or (no magic number found) a name ending in a script extension.</summary>
    public static FileType Script { get; } = new("script", "script");

    /// <summary>An OLE compound file: Word/Excel/PowerPoint 97-2003, Outlook .msg, Windows Installer .msi.</summary>
    public static FileType Ole { get; } = new("ole", "office");

    /// <summary>Office Open XML (.docx, .xlsx, .pptx): a zip with [Content_Types].xml.</summary>
    public static FileType Ooxml { get; } = new("ooxml", "office");

    /// <summary>Office Open XML with a VBA project (macros), whatever its name says (.docm, or a renamed .docx).</summary>
    public static FileType OfficeMacro { get; } = new("office-macro", "office");

    /// <summary>
    /// A OneNote section (.one) or notebook table of contents: files embedded in its pages open on a double-click
    /// by the name they were embedded under.
    /// </summary>
    public static FileType OneNote { get; } = new("onenote", "office");

    public static FileType Pdf { get; } = new("pdf", "pdf");

    /// <summary>A web page or SVG image by its name (.html, .htm, .xhtml, .svg, .mht, ...), which opens in a browser.</summary>
    public static FileType Html { get; } = new("html", "html");

    /// <summary>A web page or SVG image that runs script when opened (<see cref="MarkupScript"/>): phishing pages, HTML smuggling.</summary>
    public static FileType HtmlScript { get; } = new("html-script", "html");

    public static FileType Zip { get; } = new("zip", "archive");

    public static FileType Rar { get; } = new("rar", "archive");

    public static FileType SevenZip { get; } = new("7z", "archive");

    public static FileType Gzip { get; } = new("gzip", "archive");

    public static FileType Bzip2 { get; } = new("bzip2", "archive");

    public static FileType Xz { get; } = new("xz", "archive");

    public static FileType Cab { get; } = new("cab", "archive");

    /// <summary>A Zstandard-compressed file (.zst), which Windows 11 opens like its other archives.</summary>
    public static FileType Zstd { get; } = new("zstd", "archive");

    /// <summary>An ISO 9660 disk image (.iso, .img), which Windows mounts as a drive on a double-click.</summary>
    public static FileType Iso { get; } = new("iso", "archive");

    /// <summary>Every type and category name the detector can give, for checking a policy's list against.</summary>
    public static IReadOnlyList<FileType> All { get; } =
        [Pe, Elf, MachO, Jar, Lnk, Script, Ole, Ooxml, OfficeMacro, OneNote, Pdf, Html, HtmlScript, Zip, Rar, SevenZip, Gzip, Bzip2, Xz, Cab, Zstd, Iso];

    public override string ToString() => Name;
}
