using System.Text;
using Gateway.Authentication.Dkim;
using Gateway.Dns;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Authentication.Tests.Dkim;

public sealed class DkimSigningServiceTests
{
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);

    private static InMemoryDnsResolver Zone() => new InMemoryDnsResolver()
        .AddTxt("rsa1._domainkey.example.com", TestKeys.Rsa.DnsTxtRecord)
        .AddTxt("ed1._domainkey.example.com", TestKeys.Ed25519.DnsTxtRecord);

    private async Task<IReadOnlyList<DkimSignatureResult>> VerifyAsync(byte[] signedRaw, InMemoryDnsResolver? dns = null) =>
        await new DkimVerifierService(dns ?? Zone(), DkimVerifyOptions.Default, _time)
            .VerifyAsync(TestMessages.Parse(signedRaw), CancellationToken.None);

    [Theory]
    [InlineData(TestMessages.Plain)]
    [InlineData(TestMessages.Multipart)]
    public async Task Dual_signature_prepended_to_the_raw_bytes_verifies(string text)
    {
        var raw = TestMessages.Bytes(text);
        using var rsa = TestKeys.RsaSigningKey();
        using var ed = TestKeys.EdSigningKey();

        var headers = new DkimSigningService(_time).Sign(raw, [rsa, ed]);

        var results = await VerifyAsync(TestMessages.Concat(headers, raw));
        Assert.Collection(results,
            r => Assert.Equal((DkimResult.Pass, "example.com", "rsa1", "rsa-sha256"), (r.Result, r.Domain, r.Selector, r.Algorithm)),
            r => Assert.Equal((DkimResult.Pass, "example.com", "ed1", "ed25519-sha256"), (r.Result, r.Domain, r.Selector, r.Algorithm)));
    }

    [Fact]
    public async Task Signing_the_parsed_message_matches_signing_its_bytes()
    {
        var raw = TestMessages.Bytes(TestMessages.Multipart);
        using var ed = TestKeys.EdSigningKey();
        var service = new DkimSigningService(_time);

        var fromParsed = service.Sign(TestMessages.Parse(raw), [ed]);

        // Ed25519 is deterministic, so equal input means equal headers: the parse was written back byte for byte.
        Assert.Equal(service.Sign(raw, [ed]), fromParsed);
        Assert.Equal(DkimResult.Pass, Assert.Single(await VerifyAsync(TestMessages.Concat(fromParsed, raw))).Result);
    }

    [Fact]
    public void Header_has_the_expected_tags_and_the_clock_timestamp()
    {
        using var ed = TestKeys.EdSigningKey();
        var options = new DkimSigningOptions { Expiration = TimeSpan.FromDays(7) };

        var header = new DkimSigningService(_time, options).Sign(TestMessages.Bytes(TestMessages.Plain), [ed]);

        var unfolded = header.Replace("\r\n\t", " ", StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
        Assert.StartsWith("DKIM-Signature:v=1;a=ed25519-sha256;c=relaxed/relaxed;d=example.com;s=ed1;", unfolded, StringComparison.Ordinal);
        Assert.Contains($";t={Now.ToUnixTimeSeconds()};x={Now.AddDays(7).ToUnixTimeSeconds()};", unfolded, StringComparison.Ordinal);
        // From and Subject once each plus oversigning; Reply-To and Cc absent, so listed once to sign their absence.
        Assert.Contains("h=from:from:reply-to:subject:subject:date:date:message-id:to:to:cc:mime-version:content-type;", unfolded, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", header, StringComparison.Ordinal);
        foreach (var line in header.Split("\r\n"))
        {
            Assert.True(line.Length <= 78, line);
        }
    }

    [Fact]
    public async Task Added_from_header_breaks_the_oversigned_signature()
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        using var rsa = TestKeys.RsaSigningKey();
        var signed = TestMessages.Concat(new DkimSigningService(_time).Sign(raw, [rsa]), raw);

        var forged = TestMessages.Replace(signed, "To: bob@example.net\r\n", "To: bob@example.net\r\nFrom: Mallory <ceo@example.com>\r\n");

        Assert.Equal(DkimResult.Fail, Assert.Single(await VerifyAsync(forged)).Result);
    }

    [Fact]
    public async Task Added_reply_to_breaks_the_signature_that_signed_its_absence()
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        using var ed = TestKeys.EdSigningKey();
        var signed = TestMessages.Concat(new DkimSigningService(_time).Sign(raw, [ed]), raw);

        var forged = TestMessages.Replace(signed, "MIME-Version", "Reply-To: mallory@evil.example\r\nMIME-Version");

        Assert.Equal(DkimResult.Fail, Assert.Single(await VerifyAsync(forged)).Result);
    }

    [Theory]
    [InlineData("this is   a test.", "this is   a toast.", "body hash did not verify")]
    [InlineData("Subject: Hello  there", "Subject: Hello  where", "signature did not verify")]
    public async Task Tampering_fails_with_the_part_that_changed(string from, string to, string reason)
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        using var rsa = TestKeys.RsaSigningKey();
        using var ed = TestKeys.EdSigningKey();
        var signed = TestMessages.Concat(new DkimSigningService(_time).Sign(raw, [rsa, ed]), raw);

        var results = await VerifyAsync(TestMessages.Replace(signed, from, to));

        Assert.All(results, r => Assert.Equal((DkimResult.Fail, reason), (r.Result, r.Reason)));
    }

    [Fact]
    public async Task Relaxed_canonicalization_survives_whitespace_changes_in_transit()
    {
        var raw = TestMessages.Bytes(TestMessages.Plain);
        using var rsa = TestKeys.RsaSigningKey();
        var signed = TestMessages.Concat(new DkimSigningService(_time).Sign(raw, [rsa]), raw);

        var rewrapped = TestMessages.Replace(signed, "Subject: Hello  there", "Subject:   Hello \t there  ");
        rewrapped = TestMessages.Replace(rewrapped, "this is   a test.  \r\n\r\n\r\n", "this is a test.\r\n");

        Assert.Equal(DkimResult.Pass, Assert.Single(await VerifyAsync(rewrapped)).Result);
    }

    [Fact]
    public async Task Message_without_body_or_empty_line_signs_and_verifies()
    {
        var raw = TestMessages.Bytes("From: alice@example.com\r\nSubject: nothing\r\n");
        using var ed = TestKeys.EdSigningKey();

        var signed = TestMessages.Concat(new DkimSigningService(_time).Sign(raw, [ed]), raw);

        Assert.Equal(DkimResult.Pass, Assert.Single(await VerifyAsync(signed)).Result);
    }

    [Fact]
    public void Options_must_sign_from()
    {
        var options = new DkimSigningOptions { SignedHeaders = ["Subject", "To"] };

        Assert.Throws<ArgumentException>(() => new DkimSigningService(_time, options));
    }

    [Fact]
    public void Relaxed_body_hash_matches_the_rfc_rules()
    {
        // RFC 6376 3.4.4 / 3.4.5: an empty body hashes as the empty string; trailing empty lines are dropped;
        // WSP runs become one SP and trailing WSP goes.
        var empty = Convert.ToBase64String(DkimCanonicalization.RelaxedBodyHash([]));
        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", empty);
        Assert.Equal(empty, Convert.ToBase64String(DkimCanonicalization.RelaxedBodyHash("\r\n\r\n \t\r\n"u8)));

        var canonical = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(" C\r\nD E\r\n"u8));
        Assert.Equal(canonical, Convert.ToBase64String(DkimCanonicalization.RelaxedBodyHash(" C \r\nD \t E\r\n\r\n\r\n"u8)));
        // Bare LF line ends and a missing final line end canonicalize the same way.
        Assert.Equal(canonical, Convert.ToBase64String(DkimCanonicalization.RelaxedBodyHash("  C\nD  E"u8)));
    }

    [Fact]
    public void Canonical_body_length_is_the_length_of_what_the_relaxed_rules_give_on_random_bodies()
    {
        // The l= check compares with this count; it must be the octets the hash covers, no more, no less.
        var random = new Random(8200);
        for (var round = 0; round < 4000; round++)
        {
            string[] pieces = ["a", "b", " ", "\t", "\r", "\n", "\r\n", "\r\n"];
            var text = new System.Text.StringBuilder();
            for (var count = random.Next(0, 40); count > 0; count--)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            var body = System.Text.Encoding.ASCII.GetBytes(text.ToString());
            Assert.Equal(RelaxedBodyByTheRules(body).Length, DkimCanonicalization.CanonicalBodyLength(body, relaxed: true));
        }
    }

    [Theory]
    [InlineData("", 2)]
    [InlineData("\r\n\r\n", 2)]
    [InlineData("A  b \r\n", 7)]
    [InlineData("A\r\n\r\nB\r\n\r\n\r\n", 8)]
    [InlineData("no line end", 13)]
    [InlineData("a\nb\n\n", 6)]
    public void Simple_canonical_body_length_drops_trailing_empty_lines_and_keeps_one_crlf(string body, long expected) =>
        Assert.Equal(expected, DkimCanonicalization.CanonicalBodyLength(System.Text.Encoding.ASCII.GetBytes(body), relaxed: false));

    [Fact]
    public void Relaxed_body_hash_agrees_with_the_rules_applied_line_by_line_on_random_bodies()
    {
        // The hash is taken over runs of unchanged lines; a line-by-line reading of RFC 6376 3.4.4 must give the same.
        var random = new Random(6376);
        for (var round = 0; round < 4000; round++)
        {
            // Half the bodies are made of words, single spaces and CRLF, so the whole-body shortcut is taken too.
            string[] pieces = round % 2 == 0 ? ["a", "b", " ", "\t", "\r", "\n", "\n"] : ["ab", "a", " ", "\r\n", "\r\n"];
            var text = new System.Text.StringBuilder();
            for (var count = random.Next(0, 40); count > 0; count--)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            var body = System.Text.Encoding.ASCII.GetBytes(text.ToString());
            Assert.Equal(
                Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(RelaxedBodyByTheRules(body))),
                Convert.ToBase64String(DkimCanonicalization.RelaxedBodyHash(body)));
        }
    }

    [Fact]
    public void A_bare_lf_is_found_wherever_it_is_even_across_vector_boundaries()
    {
        var random = new Random(5322);
        for (var round = 0; round < 3000; round++)
        {
            // Lines ending in CRLF, then in half the rounds one LF anywhere (it may land after a CR, or not).
            var data = new byte[random.Next(0, 130)];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = i > 0 && data[i - 1] == '\r' ? (byte)'\n' : random.Next(6) == 0 ? (byte)'\r' : (byte)'a';
            }

            if (data.Length > 0 && round % 2 == 0)
            {
                data[random.Next(data.Length)] = (byte)'\n';
            }

            var expected = data.Select((b, i) => b == '\n' && (i == 0 || data[i - 1] != '\r')).Any(bare => bare);
            Assert.Equal(expected, DkimCanonicalization.HasBareLf(data));
        }
    }

    private static byte[] RelaxedBodyByTheRules(byte[] body)
    {
        // Lines end at LF (a CR before it belongs to the ending); each loses trailing WSP, WSP runs become one SP,
        // and every line is written with CRLF; then the empty lines at the end go.
        var text = System.Text.Encoding.Latin1.GetString(body);
        var lines = text.Split('\n').ToList();
        var last = lines[^1];
        lines.RemoveAt(lines.Count - 1);
        lines = lines.Select(l => l.EndsWith('\r') ? l[..^1] : l).ToList();
        if (last.Length > 0)
        {
            // Text after the last LF is a line too; a CR at its end is not part of a line ending.
            lines.Add(last);
        }

        var output = new System.Text.StringBuilder();
        var canonical = lines
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "[ \t]+", " ").TrimEnd(' '))
            .ToList();
        while (canonical.Count > 0 && canonical[^1].Length == 0)
        {
            canonical.RemoveAt(canonical.Count - 1);
        }

        foreach (var line in canonical)
        {
            output.Append(line).Append("\r\n");
        }

        return System.Text.Encoding.Latin1.GetBytes(output.ToString());
    }

    [Fact]
    public void Raw_header_parser_finds_fields_at_every_split_of_the_input()
    {
        var text = "From: a@example.com\r\nSubject: one\r\n two\r\nX-Odd : value\r\nbroken line\r\n\r\nbody\r\n";
        var bytes = Encoding.ASCII.GetBytes(text);
        var whole = RawMessage.Parse(bytes);
        Assert.Equal(["From", "Subject", "X-Odd"], whole.Fields.Select(f => f.Name));
        Assert.Equal(" one\r\n two\r\n", Encoding.ASCII.GetString(bytes[whole.Fields[1].ValueStart..whole.Fields[1].End]));
        Assert.Equal("body\r\n", Encoding.ASCII.GetString(bytes[whole.BodyStart..]));

        // A prefix of the message must parse as far as it goes and never read past its end.
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var partial = RawMessage.Parse(bytes.AsSpan(0, cut));
            Assert.InRange(partial.BodyStart, 0, cut);
            Assert.All(partial.Fields, f => Assert.InRange(f.End, f.ValueStart, cut));
        }
    }

    [Fact]
    public void Streamed_relaxed_body_hash_equals_the_whole_body_hash_however_the_body_is_cut()
    {
        var random = new Random(6377);
        for (var round = 0; round < 3000; round++)
        {
            string[] pieces = ["a", "b", " ", "\t", "\r", "\n", "\r\n", "\r\n", "  "];
            var text = new StringBuilder();
            for (var count = random.Next(0, 60); count > 0; count--)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            var body = Encoding.ASCII.GetBytes(text.ToString());
            var expected = Convert.ToBase64String(DkimCanonicalization.RelaxedBodyHash(body));

            using var hasher = new RelaxedBodyHasher();
            var position = 0;
            while (position < body.Length)
            {
                var length = random.Next(1, Math.Max(2, body.Length - position + 1));
                length = Math.Min(length, body.Length - position);
                hasher.Append(body.AsSpan(position, length));
                position += length;
            }

            Assert.Equal(expected, Convert.ToBase64String(hasher.Finish()));

            using var bytewise = new RelaxedBodyHasher();
            foreach (var b in body)
            {
                bytewise.Append([b]);
            }

            Assert.Equal(expected, Convert.ToBase64String(bytewise.Finish()));
        }
    }

    [Theory]
    [InlineData(TestMessages.Plain)]
    [InlineData(TestMessages.Multipart)]
    [InlineData("From: alice@example.com\r\nSubject: no body\r\n")]
    public async Task Signing_from_the_header_section_and_a_body_stream_matches_signing_the_whole_message(string text)
    {
        var raw = TestMessages.Bytes(text);
        using var rsa = TestKeys.RsaSigningKey();
        using var ed = TestKeys.EdSigningKey();
        var service = new DkimSigningService(_time);
        var split = raw.AsSpan().IndexOf("\r\n\r\n"u8) is var at and >= 0 ? at + 4 : raw.Length;

        var streamed = await service.SignAsync(raw.AsMemory(0, split), new MemoryStream(raw, split, raw.Length - split), [rsa, ed], CancellationToken.None);

        Assert.Equal(service.Sign(raw, [rsa, ed]), streamed);
        Assert.All(await VerifyAsync(TestMessages.Concat(streamed, raw)), r => Assert.Equal(DkimResult.Pass, r.Result));
    }
}
