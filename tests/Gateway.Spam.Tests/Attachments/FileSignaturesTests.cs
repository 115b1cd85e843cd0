using System.Text;
using Gateway.Spam.Attachments;

namespace Gateway.Spam.Tests.Attachments;

public sealed class FileSignaturesTests
{
    public static TheoryData<string, string> Magic => new()
    {
        { "4D5A90000300", "pe" },
        { "7F454C460201", "elf" },
        { "CFFAEDFE0700", "macho" },
        { "CAFEBABE0000", "macho" },
        { "4C0000000114020000000000C000000000000046", "lnk" },
        { "D0CF11E0A1B11AE1", "ole" },
        { "504B03041400", "zip" },
        { "504B05060000", "zip" },
        { "526172211A0700", "rar" },
        { "377ABCAF271C", "7z" },
        { "1F8B0800", "gzip" },
        { "425A6839", "bzip2" },
        { "FD377A585A00", "xz" },
        { "4D5343460000000000", "cab" },
        { "255044462D312E37", "pdf" },
        { "2321202F62696E2F7368", "script" },
    };

    [Theory]
    [MemberData(nameof(Magic))]
    public void The_content_decides_whatever_the_name_says(string hex, string type)
    {
        Assert.Equal(type, FileSignatures.Detect(Convert.FromHexString(hex), "harmless.txt")?.Name);
    }

    [Fact]
    public void A_pdf_header_may_follow_some_junk()
    {
        var head = Encoding.ASCII.GetBytes(new string(' ', 300) + "%PDF-1.4\n");

        Assert.Equal(FileType.Pdf, FileSignatures.Detect(head, null));
    }

    [Theory]
    [InlineData("run.js")]
    [InlineData("RUN.VBS")]
    [InlineData("setup.ps1")]
    [InlineData("x.bat. . ")]
    public void Scripts_have_no_magic_and_are_known_by_name(string name)
    {
        Assert.Equal(FileType.Script, FileSignatures.Detect("WScript.Echo 1"u8, name));
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData(null)]
    [InlineData("js")]
    public void Plain_text_is_no_known_type(string? name)
    {
        Assert.Null(FileSignatures.Detect("hello"u8, name));
        Assert.Null(FileSignatures.Detect([], name));
    }

    [Theory]
    [InlineData("a.EXE", ".exe")]
    [InlineData("a.exe. ", ".exe")]
    [InlineData("dir.x/file", null)]
    [InlineData("noext", null)]
    [InlineData("trailing.", null)]
    public void Extensions_are_read_as_windows_reads_them(string name, string? extension)
    {
        Assert.Equal(extension, FileSignatures.Extension(name));
    }
}
