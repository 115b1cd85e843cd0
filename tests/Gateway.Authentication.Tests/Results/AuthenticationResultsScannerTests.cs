using System.Text;
using Gateway.Authentication.Results;

namespace Gateway.Authentication.Tests.Results;

public sealed class AuthenticationResultsScannerTests
{
    private const string Ours = "mx.example.net";

    private static string Remove(string headers) => AuthenticationResultsScanner.RemoveOwnFields(headers, Ours);

    [Theory]
    [InlineData("Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=a@b.example\r\n")]
    [InlineData("authentication-results: MX.Example.Net; none\r\n")]
    [InlineData("Authentication-Results : mx.example.net; none\r\n")]
    [InlineData("Authentication-Results: (comment) mx.example.net; none\r\n")]
    [InlineData("Authentication-Results: (nested (comment \\) x)) mx.example.net; none\r\n")]
    [InlineData("Authentication-Results:mx.example.net;none\r\n")]
    [InlineData("Authentication-Results: mx.example.net 1; none\r\n")]
    [InlineData("Authentication-Results: mx.example.net (our host); none\r\n")]
    [InlineData("Authentication-Results: \"mx.example.net\"; dkim=pass\r\n")]
    [InlineData("Authentication-Results: mx.example.net\r\n")]
    [InlineData("Authentication-Results: mx.example.net; garbage ;;; ===\r\n")]
    [InlineData("Authentication-Results:\r\n mx.example.net;\r\n\tspf=pass\r\n\tsmtp.mailfrom=x@y.example\r\n")]
    [InlineData("Authentication-Results: mx.example.net; spf=pass\n")]
    public void Fields_claiming_our_id_are_removed(string field)
    {
        const string Before = "Received: from a by b;\r\n Mon, 1 Jan 2024 00:00:00 +0000\r\n";
        const string After = "Subject: hello\r\n\r\nbody\r\n";
        Assert.Equal(Before + After, Remove(Before + field + After));
    }

    [Theory]
    [InlineData("Authentication-Results: mx.example.net.evil; spf=pass\r\n")]
    [InlineData("Authentication-Results: evil.mx.example.net; spf=pass\r\n")]
    [InlineData("Authentication-Results: mx.example.net/evil; spf=pass\r\n")]
    [InlineData("Authentication-Results: mx.example.net=x; spf=pass\r\n")]
    [InlineData("Authentication-Results: other.example; spf=pass (mx.example.net)\r\n")]
    [InlineData("Authentication-Results: (unterminated mx.example.net; spf=pass\r\n")]
    [InlineData("Authentication-Results: \"mx.example.net; spf=pass\r\n")]
    [InlineData("Authentication-Results: ;;; mx.example.net\r\n")]
    [InlineData("Authentication-Results:\r\n")]
    [InlineData("ARC-Authentication-Results: i=1; mx.example.net; spf=pass\r\n")]
    [InlineData("X-Authentication-Results: mx.example.net; spf=pass\r\n")]
    [InlineData("Authentication-Results mx.example.net; spf=pass\r\n")]
    public void Other_and_unparseable_fields_are_kept(string field)
    {
        var headers = "From: a@example.com\r\n" + field + "Subject: x\r\n";
        Assert.Equal(headers, Remove(headers));
    }

    [Fact]
    public void Several_fields_are_removed_and_the_rest_is_byte_identical()
    {
        var headers = Encoding.UTF8.GetBytes(
            "Authentication-Results: mx.example.net; spf=fail\r\n"
            + "DKIM-Signature: v=1; a=rsa-sha256; d=example.com;\r\n\tb=abc\r\n"
            + "Authentication-Results: other.example; spf=pass\r\n"
            + "Subject: =?utf-8?q?h=C3=A9?= é\r\n"
            + "AUTHENTICATION-RESULTS: mx.example.net;\r\n dkim=pass\r\n"
            + "\r\n"
            + "Authentication-Results: mx.example.net; in the body\r\n");
        var ranges = AuthenticationResultsScanner.FindOwnFields(headers, Ours);
        Assert.Equal(2, ranges.Count);
        var expected = Encoding.UTF8.GetBytes(
            "DKIM-Signature: v=1; a=rsa-sha256; d=example.com;\r\n\tb=abc\r\n"
            + "Authentication-Results: other.example; spf=pass\r\n"
            + "Subject: =?utf-8?q?h=C3=A9?= é\r\n"
            + "\r\n"
            + "Authentication-Results: mx.example.net; in the body\r\n");
        Assert.Equal(expected, AuthenticationResultsScanner.RemoveOwnFields(headers, Ours));
    }

    [Fact]
    public void Nothing_to_remove_returns_an_identical_copy()
    {
        var headers = "Subject: x\r\n\r\n"u8.ToArray();
        Assert.Empty(AuthenticationResultsScanner.FindOwnFields(headers, Ours));
        Assert.Equal(headers, AuthenticationResultsScanner.RemoveOwnFields(headers, Ours));
    }

    [Theory]
    [InlineData(" mx.example.net; spf=pass", "mx.example.net")]
    [InlineData("(c) \"quoted\\\"id\" ; none", "quoted\"id")]
    [InlineData("host-1.example 1;", "host-1.example")]
    public void Authserv_id_is_read(string value, string expected)
    {
        Assert.True(AuthenticationResultsScanner.TryReadAuthservId(Encoding.UTF8.GetBytes(value), out var id));
        Assert.Equal(expected, id);
    }

    [Fact]
    public void Every_truncation_and_garbage_is_handled_without_exceptions()
    {
        var headers = Encoding.UTF8.GetBytes(
            "Authentication-Results: (a (b \\) c) \"mx.exa\\mple.net\" 1; spf=pass\r\n"
            + "Authentication-Results:\r\n\t(x) mx.example.net;\r\n dkim=pass\r\n"
            + "\0\r\r\n: odd\r\n \r\nAuthentication-Results: \"\r\n\r\n");
        for (var length = 0; length <= headers.Length; length++)
        {
            var slice = headers.AsSpan(0, length);
            var ranges = AuthenticationResultsScanner.FindOwnFields(slice, Ours);
            var removed = AuthenticationResultsScanner.RemoveOwnFields(slice, Ours);
            Assert.Equal(length - ranges.Sum(r => r.End.Value - r.Start.Value), removed.Length);
        }

        var random = new Random(4);
        var noise = new byte[4096];
        for (var round = 0; round < 200; round++)
        {
            random.NextBytes(noise);
            "Authentication-Results: "u8.CopyTo(noise);
            _ = AuthenticationResultsScanner.RemoveOwnFields(noise, Ours);
        }
    }
}
