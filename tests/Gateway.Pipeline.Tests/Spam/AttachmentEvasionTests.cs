using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Gateway.Policy;

namespace Gateway.Pipeline.Tests.Spam;

/// <summary>
/// Ways of wrapping an executable in MIME so that a scanner reading the structure differently from a mail program (or
/// not at all) would let it pass the default attachment policy (block executables, reject).
/// </summary>
public sealed class AttachmentEvasionTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    private static string B64(byte[] b) => Convert.ToBase64String(b, Base64FormattingOptions.InsertLineBreaks);

    private const string Head = "From: alice@sender.test\r\nTo: bob@example.test\r\nMessage-ID: <a@sender.test>\r\nSubject: files\r\nMIME-Version: 1.0\r\n";

    private static string Part(string headers, string body) => "--o\r\nContent-Type: application/octet-stream\r\n" + headers + "\r\n" + body + "\r\n";

    private static string Multipart(params string[] parts) => Head + "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" + string.Concat(parts) + "--o--\r\n";

    private static byte[] PrefixedZip()
    {
        using var buffer = new MemoryStream();
        buffer.Write("just some text before the archive\r\n"u8);
        using (var writer = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = writer.CreateEntry("setup.exe").Open();
            entry.Write(Pe);
        }

        return buffer.ToArray();
    }

    private static byte[] PlainTar()
    {
        using var o = new MemoryStream();
        using (var w = new TarWriter(o, TarEntryFormat.Pax, leaveOpen: true))
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "setup.exe") { DataStream = new MemoryStream(Pe) });
        }

        return o.ToArray();
    }

    private static byte[] V7Tar()
    {
        using var o = new MemoryStream();
        using (var w = new TarWriter(o, TarEntryFormat.V7, leaveOpen: true))
        {
            w.WriteEntry(new V7TarEntry(TarEntryType.V7RegularFile, "setup.exe") { DataStream = new MemoryStream(Pe) });
        }

        return o.ToArray();
    }

    /// <summary>A RAR 5 archive holding "setup.exe" stored (no CRCs: the scanner reads names, not checksums).</summary>
    private static byte[] Rar5WithExe()
    {
        byte[] name = [.. "setup.exe"u8];
        byte[] main = [3, 1, 0, 0];
        byte[] file = [(byte)(9 + name.Length), 2, 2, (byte)Pe.Length, 0, (byte)Pe.Length, 0x20, 0, 0, (byte)name.Length, .. name];
        byte[] end = [3, 5, 0, 0];
        return [.. "Rar!\u001A\u0007\u0001\u0000"u8, 0, 0, 0, 0, .. main, 0, 0, 0, 0, .. file, .. Pe, 0, 0, 0, 0, .. end];
    }

    /// <summary>A zip whose one member, "setup.exe", has the encryption flag: its content cannot be read, its name can.</summary>
    private static byte[] EncryptedZipWithExe()
    {
        using var o = new MemoryStream();
        using (var zip = new ZipArchive(o, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("setup.exe", CompressionLevel.NoCompression).Open();
            entry.Write(Pe);
        }

        var bytes = o.ToArray();
        // General purpose flag bit 0 (encrypted) in the local header (offset 6) and the central directory entry (offset 8).
        bytes[6] |= 1;
        var central = bytes.AsSpan().IndexOf("PK\u0001\u0002"u8);
        bytes[central + 8] |= 1;
        return bytes;
    }

    /// <summary>The gateway's content step with the default attachment policy (block executables, reject), or the one given.</summary>
    private static ScannerHarness Harness(AttachmentPolicy? attachments = null) => new(new SpamPolicy
    {
        Default = new SpamDomainPolicy { Action = SpamAction.Tag, Attachments = attachments ?? new AttachmentPolicy() },
        Domains = new Dictionary<string, SpamDomainPolicy>(),
    });

    public static TheoryData<string> Shapes() => new() { "baseline", "prefixed-zip", "plain-tar", "v7-tar", "rar5-member", "encrypted-zip-member", "cte-comment", "cte-semicolon", "cte-duplicate", "10001-parts", "mime-depth-70", "rfc822-base64" };

    private static string Build(string shape)
    {
        var pe = "Content-Disposition: attachment; filename=\"a.bin\"\r\n";
        switch (shape)
        {
            case "baseline": return Multipart(Part(pe + "Content-Transfer-Encoding: base64\r\n", B64(Pe)));
            case "prefixed-zip": return Multipart(Part("Content-Disposition: attachment; filename=\"docs.zip\"\r\nContent-Transfer-Encoding: base64\r\n", B64(PrefixedZip())));
            case "plain-tar": return Multipart(Part("Content-Disposition: attachment; filename=\"docs.tar\"\r\nContent-Transfer-Encoding: base64\r\n", B64(PlainTar())));
            case "v7-tar": return Multipart(Part("Content-Disposition: attachment; filename=\"docs.dat\"\r\nContent-Transfer-Encoding: base64\r\n", B64(V7Tar())));
            case "rar5-member": return Multipart(Part("Content-Disposition: attachment; filename=\"scan.rar\"\r\nContent-Transfer-Encoding: base64\r\n", B64(Rar5WithExe())));
            case "encrypted-zip-member": return Multipart(Part("Content-Disposition: attachment; filename=\"scan.zip\"\r\nContent-Transfer-Encoding: base64\r\n", B64(EncryptedZipWithExe())));
            case "cte-comment": return Multipart(Part(pe + "Content-Transfer-Encoding: base64 (binary)\r\n", B64(Pe)));
            case "cte-semicolon": return Multipart(Part(pe + "Content-Transfer-Encoding: base64;\r\n", B64(Pe)));
            case "cte-duplicate": return Multipart(Part(pe + "Content-Transfer-Encoding: base64\r\nContent-Transfer-Encoding: 7bit\r\n", B64(Pe)));
            case "10001-parts":
                return Multipart([.. Enumerable.Repeat("--o\r\n\r\n\r\n", 10_001), Part(pe + "Content-Transfer-Encoding: base64\r\n", B64(Pe))]);
            case "mime-depth-70":
                {
                    var sb = new StringBuilder(Head);
                    for (var i = 0; i < 70; i++)
                    {
                        sb.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
                    }

                    sb.Append("Content-Type: application/octet-stream\r\n").Append(pe).Append("Content-Transfer-Encoding: base64\r\n\r\n").Append(B64(Pe)).Append("\r\n");
                    for (var i = 69; i >= 0; i--)
                    {
                        sb.Append($"--b{i}--\r\n");
                    }

                    return sb.ToString();
                }

            default:
                {
                    var inner = "From: a@sender.test\r\nSubject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"i\"\r\n\r\n" +
                        "--i\r\nContent-Type: application/octet-stream\r\n" + pe + "Content-Transfer-Encoding: base64\r\n\r\n" + B64(Pe) + "\r\n--i--\r\n";
                    return Head + "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nsee\r\n" +
                        "--o\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + B64(Encoding.ASCII.GetBytes(inner)) + "\r\n--o--\r\n";
                }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task An_executable_is_refused_however_its_part_is_wrapped(string shape)
    {
        var harness = Harness();

        var reply = await harness.SendAsync(Encoding.ASCII.GetBytes(Build(shape)));

        Assert.Equal(550, reply.Code);
        Assert.Contains("5.7.1", reply.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_executable_in_an_iso_image_is_refused()
    {
        // Windows mounts an .iso on a double-click; what it holds is checked like an archive's members.
        var harness = Harness();
        var image = await Gateway.Testing.Peers.IsoImage.CreateAsync(true, ("Invoice.exe", Pe));
        var message = Multipart(Part("Content-Disposition: attachment; filename=\"invoice.iso\"\r\nContent-Transfer-Encoding: base64\r\n", B64(image)));

        var reply = await harness.SendAsync(Encoding.ASCII.GetBytes(message));

        Assert.Equal(550, reply.Code);
        Assert.Contains("Invoice.exe", reply.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blocked_extension_is_refused_under_the_name_a_gzip_stores()
    {
        var harness = Harness(new AttachmentPolicy { BlockExtensions = [".js"] });
        using var deflated = new MemoryStream();
        using (var gzip = new GZipStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write("WScript.Echo(1);"u8);
        }

        // FNAME set: "run.js" is what 7-Zip saves from "notes.txt.gz".
        byte[] gz = [0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3, .. "run.js"u8, 0, .. deflated.ToArray().AsSpan(10)];
        var message = Multipart(Part("Content-Disposition: attachment; filename=\"notes.txt.gz\"\r\nContent-Transfer-Encoding: base64\r\n", B64(gz)));

        var reply = await harness.SendAsync(Encoding.ASCII.GetBytes(message));

        Assert.Equal(550, reply.Code);
        Assert.Contains("run.js", reply.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_harmless_attached_message_sent_in_base64_is_read_and_accepted()
    {
        // Some mail programs forward a message in base64 although RFC 2046 5.2.1 forbids it: it is decoded and read.
        var harness = Harness();
        var inner = "From: a@sender.test\r\nSubject: minutes\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"i\"\r\n\r\n"
            + "--i\r\nContent-Type: text/plain\r\n\r\nthe minutes\r\n--i\r\nContent-Type: application/pdf; name=\"minutes.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + B64("%PDF-1.4 minutes"u8.ToArray()) + "\r\n--i--\r\n";
        var message = Head + "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nforwarded\r\n"
            + "--o\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + B64(Encoding.ASCII.GetBytes(inner)) + "\r\n--o--\r\n";

        var reply = await harness.SendAsync(Encoding.ASCII.GetBytes(message));

        Assert.Equal(250, reply.Code);
    }

    [Fact]
    public async Task One_transfer_encoding_field_repeated_alike_is_not_ambiguous()
    {
        var harness = Harness();
        var text = Convert.ToBase64String("plain words"u8.ToArray());

        var reply = await harness.SendAsync(Encoding.ASCII.GetBytes(Multipart(Part("Content-Disposition: attachment; filename=\"a.txt\"\r\nContent-Transfer-Encoding: base64\r\nContent-Transfer-Encoding: BASE64 \r\n", text))));

        Assert.Equal(250, reply.Code);
    }
}
