using System.Diagnostics;
using System.Text;
using Gateway.Policy;
using Gateway.Spam.Attachments;
using Gateway.Spam.Tests.Attachments;

namespace Gateway.Pipeline.Tests.Spam;

/// <summary>The attachment policy as a pipeline step: what each domain's policy makes of the scanner's findings.</summary>
public sealed class AttachmentStepTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    private static SpamPolicy Spam(AttachmentPolicy? attachments, Dictionary<string, SpamDomainPolicy>? domains = null) => new()
    {
        Default = new SpamDomainPolicy { Action = SpamAction.Tag, Attachments = attachments },
        Domains = domains ?? [],
    };

    private static byte[] Message(params (string? Name, byte[] Content)[] attachments)
    {
        var text = Encoding.ASCII.GetString(TestZips.Message(attachments));
        return Encoding.ASCII.GetBytes(text.Replace("From: alice@example.org\r\nTo: bob@example.net\r\n", "From: alice@sender.test\r\nTo: bob@example.test\r\nMessage-ID: <a@sender.test>\r\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_executable_in_a_zip_is_refused_with_550_naming_it()
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy()));
        var zip = TestZips.Zip(("readme.txt", "hi"u8.ToArray()), ("setup.exe", Pe));

        var reply = await harness.SendAsync(Message(("docs.zip", zip)));

        Assert.Equal(550, reply.Code);
        Assert.Equal("5.7.1", reply.EnhancedCode);
        Assert.Equal("Message rejected: attachment \"docs.zip/setup.exe\" is a blocked file type (pe)", reply.Lines[0]);
        Assert.Contains("detected attachments/blocked", harness.Metrics.Events);
        Assert.Contains(harness.Logger.Entries, e => e.EventId == 3160 && e.Message.Contains("docs.zip/setup.exe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_transaction_summary_names_the_attachment_check_that_refused_the_message()
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy()));

        var reply = await harness.SendAsync(Message(("invoice.pdf", Pe)));

        Assert.Equal(550, reply.Code);
        Assert.Equal("attachments reject", harness.ContentVerdict);
    }

    [Fact]
    public async Task An_executable_embedded_in_a_onenote_section_is_refused_by_the_default_policy()
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy()));
        var section = new TestOneNote().Filler(64).FileName("Open me.exe").Embedded(Pe).ToArray();

        var reply = await harness.SendAsync(Message(("Notes.one", section)));

        Assert.Equal(550, reply.Code);
        Assert.Contains("attachment \"Notes.one/", reply.Lines[0], StringComparison.Ordinal);
        Assert.Contains("is a blocked file type (pe)", reply.Lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("onenote")]
    [InlineData("script")]
    public async Task A_onenote_section_or_the_script_embedded_in_it_can_be_blocked(string blocked)
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy { BlockTypes = [blocked] }));
        var hta = "<html><HTA:APPLICATION/><script>1</script></html>"u8.ToArray();
        var section = new TestOneNote().Filler(64).FileName("Invoice.hta").Declared("<ifndf>{" + Guid.NewGuid() + "}").Declared(".hta").Embedded(hta).ToArray();

        var reply = await harness.SendAsync(Message(("Notes.one", section)));

        Assert.Equal(550, reply.Code);
        Assert.Contains(blocked == "onenote" ? "\"Notes.one\" is a blocked file type (onenote)" : "\"Notes.one/Invoice.hta\" is a blocked file type (script)", reply.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Web_pages_that_run_script_can_be_blocked_and_plain_ones_pass()
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy { BlockTypes = ["executable", "html-script"] }));
        var phishing = "<html><body><form action=\"https://x.test/\"></form><script>document.forms[0].submit()</script></body></html>"u8.ToArray();

        var refused = await harness.SendAsync(Message(("Voicemail.html", phishing)));
        var passed = await new ScannerHarness(Spam(new AttachmentPolicy { BlockTypes = ["executable", "html-script"] })).SendAsync(Message(("agenda.html", "<html><p>Agenda</p></html>"u8.ToArray())));

        Assert.Equal(550, refused.Code);
        Assert.Equal("Message rejected: attachment \"Voicemail.html\" is a blocked file type (html-script)", refused.Lines[0]);
        Assert.Equal(250, passed.Code);
    }

    [Fact]
    public async Task Tagging_makes_the_finding_a_spam_reason_and_a_field()
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy { Action = AttachmentAction.Tag, BlockExtensions = [".vbs"] }));

        var reply = await harness.SendAsync(Message(("invoice.pdf", Pe), ("run.vbs", "WScript.Echo 1"u8.ToArray())));

        Assert.Equal(250, reply.Code);
        var delivered = harness.Delivered;
        Assert.Contains("X-Attachment-Findings: blocked invoice.pdf is a blocked file type (pe);\r\n\tblocked run.vbs has a blocked file name extension (.vbs)\r\n", delivered, StringComparison.Ordinal);
        Assert.Contains("X-Spam-Status: Yes, score=10.0 required=5.0 tests=ATTACH_BLOCKED", delivered, StringComparison.Ordinal);
        Assert.Equal(2, harness.Metrics.Events.Count(e => e == "detected attachments/blocked"));
    }

    [Fact]
    public async Task An_encrypted_archive_is_tagged_by_default_with_a_few_points()
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy()));
        var secret = "ciphertext"u8.ToArray();
        var zip = TestZips.Raw(new TestZips.RawEntry("report.pdf", secret, secret.Length, 0, Deflated: false, Encrypted: true));

        var reply = await harness.SendAsync(Message(("locked.zip", zip)));

        Assert.Equal(250, reply.Code);
        Assert.Contains("X-Attachment-Findings: encrypted locked.zip/report.pdf is encrypted and cannot be checked\r\n", harness.Delivered, StringComparison.Ordinal);
        Assert.Contains("X-Spam-Status: No, score=3.0 required=5.0 tests=ATTACH_ENCRYPTED", harness.Delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encrypted_archives_can_be_refused()
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy { EncryptedArchives = AttachmentAction.Reject }));
        var secret = "ciphertext"u8.ToArray();
        var zip = TestZips.Raw(new TestZips.RawEntry("report.pdf", secret, secret.Length, 0, Deflated: false, Encrypted: true));

        var reply = await harness.SendAsync(Message(("locked.zip", zip)));

        Assert.Equal(550, reply.Code);
        Assert.Contains("\"locked.zip/report.pdf\" is encrypted and cannot be checked", reply.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_strictest_recipient_domain_decides()
    {
        var domains = new Dictionary<string, SpamDomainPolicy>
        {
            ["ours.test"] = new SpamDomainPolicy { Action = SpamAction.Tag, Attachments = new AttachmentPolicy { BlockTypes = ["pdf"] } },
        };
        var harness = new ScannerHarness(Spam(new AttachmentPolicy { BlockTypes = [] }, domains));
        var pdf = "%PDF-1.7\n..."u8.ToArray();

        var tagged = await new ScannerHarness(Spam(new AttachmentPolicy { BlockTypes = [] }, domains)).SendAsync(Message(("a.pdf", pdf)), "bob@example.test");
        var refused = await harness.SendAsync(Message(("a.pdf", pdf)), "bob@example.test", "carol@ours.test");

        Assert.Equal(250, tagged.Code);
        Assert.Equal(550, refused.Code);
        Assert.Contains("blocked file type (pdf)", refused.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clean_message_gets_no_field_and_a_forged_one_is_dropped()
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy()));
        var message = ScannerHarness.Message("hello", extraHeaders: "X-Attachment-Findings: none, trust me\r\n");

        var reply = await harness.SendAsync(message);

        Assert.Equal(250, reply.Code);
        Assert.DoesNotContain("X-Attachment-Findings", harness.Delivered, StringComparison.Ordinal);
        Assert.Empty(harness.Metrics.Events);
    }

    [Fact]
    public async Task Names_are_cleaned_before_they_reach_the_reply()
    {
        var harness = new ScannerHarness(Spam(new AttachmentPolicy()));
        var message = Encoding.UTF8.GetBytes(
            "From: a@sender.test\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
            "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=utf-8''%E2%9C%93%22%3B%0D%0A550.exe\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n");

        var reply = await harness.SendAsync(message);

        Assert.Equal(550, reply.Code);
        Assert.Equal("Message rejected: attachment \"???550.exe\" is a blocked file type (pe)", reply.Lines[0]);
    }

    /// <summary>Issue 13's bad input, through the whole inbound flow with the message on "disk" (a stream): each gets a verdict.</summary>
    [Fact]
    public async Task A_zip_bomb_is_refused_and_hostile_shapes_get_verdicts_in_bounded_time()
    {
        const long member = 100L * 1024 * 1024;
        var zeros = TestZips.DeflatedZeros(member);
        var crc = TestZips.Crc32OfZeros(member);
        var inner = TestZips.Raw([.. Enumerable.Range(0, 10).Select(i => new TestZips.RawEntry($"zeros{i}.bin", zeros, member, crc))]);
        var outer = TestZips.Raw([.. Enumerable.Range(0, 10).Select(i => new TestZips.RawEntry($"inner{i}.zip", inner, inner.Length, TestZips.Crc32(inner), Deflated: false))]);

        var parts = new StringBuilder("From: a@sender.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n");
        for (var i = 0; i < 1_000; i++)
        {
            parts.Append("--p\r\nContent-Type: text/plain\r\n\r\npart ").Append(i).Append("\r\n");
        }

        var deep = new StringBuilder("From: a@sender.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
        for (var i = 0; i < 100; i++)
        {
            deep.Append("Content-Type: multipart/mixed; boundary=b").Append(i).Append("\r\n\r\n--b").Append(i).Append("\r\n");
        }

        var big = new StringBuilder("From: a@sender.test\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        while (big.Length < 50 * 1024 * 1024)
        {
            big.Append("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n");
        }

        var cases = new (string Name, byte[] Message, int Code)[]
        {
            ("zip bomb", Message(("bomb.zip", outer)), 550),
            ("1,000 parts", Encoding.ASCII.GetBytes(parts.Append("--p--\r\n").ToString()), 250),
            // Below 64 levels parts are not read as structure, so what they hold is not checked: refused like a blocked file.
            ("100-deep nesting", Encoding.ASCII.GetBytes(deep.Append("Content-Type: text/plain\r\n\r\ndeep\r\n").ToString()), 550),
            ("broken base64", Encoding.ASCII.GetBytes("From: a@sender.test\r\nSubject: b64\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream; name=x.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQ!!!%%%AAMA***\r\n===\r\n"), 550),
            ("50 MB", Encoding.ASCII.GetBytes(big.ToString()), 250),
        };

        foreach (var (name, message, code) in cases)
        {
            var harness = new ScannerHarness(Spam(new AttachmentPolicy()), inMemory: false);
            var clock = Stopwatch.StartNew();
            var reply = await harness.SendAsync(message);

            Assert.True(code == reply.Code, $"{name}: {reply.ToWireString()}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{name} took {clock.Elapsed}");
        }
    }

    [Fact]
    public void The_policy_knows_every_type_name_the_scanner_gives()
    {
        foreach (var type in FileType.All)
        {
            Assert.Contains(type.Name, AttachmentPolicy.KnownTypes);
            Assert.Contains(type.Category, AttachmentPolicy.KnownTypes);
        }
    }
}
