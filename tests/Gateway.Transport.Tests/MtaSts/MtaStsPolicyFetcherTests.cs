using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Dns;
using Gateway.Testing;
using Gateway.Transport.MtaSts;

namespace Gateway.Transport.Tests.MtaSts;

/// <summary>The fetcher against a real HTTPS server on loopback, names resolved only by the in-memory zone.</summary>
public sealed class MtaStsPolicyFetcherTests : IDisposable
{
    private const string Domain = "example.test";
    private const string PolicyHost = "mta-sts.example.test";
    private const string Policy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.mail.example.test\r\nmax_age: 604800\r\n";

    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("MTA-STS Test CA");
    private readonly InMemoryDnsResolver _dns = new InMemoryDnsResolver().AddA(PolicyHost, "127.0.0.1");

    public void Dispose() => _authority.Dispose();

    [Fact]
    public async Task Fetches_a_valid_policy_from_the_well_known_path_of_the_policy_host()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "text/plain", Policy));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.True(result.IsSuccess, result.FailureDetail);
        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal(["mx1.example.test", "*.mail.example.test"], result.Policy.MxPatterns);
        Assert.Equal(TimeSpan.FromDays(7), result.Policy.MaxAge);
        Assert.Equal(Policy, result.Policy.Text);
        var request = Assert.Single(server.Requests);
        Assert.StartsWith("GET /.well-known/mta-sts.txt HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"Host: {PolicyHost}:{server.Port}", request, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Cookie", request, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_policy_host_is_resolved_only_through_our_resolver()
    {
        // ".test" names exist in no public DNS (RFC 6761 6.2): the fetch can only succeed through the zone.
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "text/plain", Policy));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.True(result.IsSuccess, result.FailureDetail);
        Assert.Equal(1, _dns.QueryCount(PolicyHost));
    }

    [Fact]
    public async Task A_policy_host_missing_from_our_resolver_is_a_fetch_error()
    {
        using var certificate = TestCertificates.Issue(_authority, "mta-sts.localhost");
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "text/plain", Policy));

        // "localhost" would resolve through the system; only our (empty) zone is asked.
        var result = await Fetcher(server.Port).FetchAsync("localhost", CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.PolicyFetchError, result.FailureResultType);
        Assert.Contains("NxDomain", result.FailureDetail, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Addresses_are_tried_in_order_until_one_accepts()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "text/plain", Policy));

        // Nothing listens on 127.0.0.2 (the server is bound to 127.0.0.1 only): refused, then the next address.
        var dns = new InMemoryDnsResolver().AddA(PolicyHost, "127.0.0.2").AddA(PolicyHost, "127.0.0.1");
        var fetcher = new MtaStsPolicyFetcher(dns, Options(server.Port), TimeProvider.System);

        var result = await fetcher.FetchAsync(Domain, CancellationToken.None);

        Assert.True(result.IsSuccess, result.FailureDetail);
    }

    [Fact]
    public async Task A_media_type_with_parameters_is_text_plain()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "Text/Plain; charset=utf-8", Policy));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.True(result.IsSuccess, result.FailureDetail);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_sts_webpki_invalid()
    {
        using var certificate = TestCertificates.Issue(_authority, "www.example.test");
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "text/plain", Policy));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.WebPkiInvalid, result.FailureResultType);
        Assert.Contains("does not name", result.FailureDetail, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_certificate_from_an_untrusted_issuer_is_sts_webpki_invalid()
    {
        using var certificate = TestCertificates.Create(PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "text/plain", Policy));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.WebPkiInvalid, result.FailureResultType);
        Assert.Contains("not trusted", result.FailureDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_extra_root_the_test_authority_is_not_trusted()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "text/plain", Policy));
        var fetcher = new MtaStsPolicyFetcher(_dns, new MtaStsFetcherOptions { Port = server.Port, Timeout = TimeSpan.FromSeconds(20) }, TimeProvider.System);

        var result = await fetcher.FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.WebPkiInvalid, result.FailureResultType);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    public async Task A_redirect_is_not_followed_and_is_a_fetch_error(int status)
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(
            certificate,
            PolicyHttpsServer.Respond(status, "text/plain", string.Empty, $"Location: https://{PolicyHost}/elsewhere.txt"));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.PolicyFetchError, result.FailureResultType);
        Assert.Contains($"HTTP status {status}", result.FailureDetail, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(500)]
    [InlineData(204)]
    public async Task A_status_other_than_200_is_a_fetch_error(int status)
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(status, "text/plain", Policy));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.PolicyFetchError, result.FailureResultType);
        Assert.Contains($"HTTP status {status}", result.FailureDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/octet-stream")]
    [InlineData(null)]
    public async Task A_media_type_other_than_text_plain_is_a_fetch_error(string? contentType)
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, contentType, Policy));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.PolicyFetchError, result.FailureResultType);
        Assert.Contains("not text/plain", result.FailureDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declared_body_over_the_limit_is_a_fetch_error()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        var body = Policy + new string('#', 64 * 1024);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "text/plain", body));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.PolicyFetchError, result.FailureResultType);
        Assert.Contains("larger than 65536 bytes", result.FailureDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_undeclared_body_is_read_only_up_to_the_limit()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        var body = new byte[1024 * 1024];
        body.AsSpan().Fill((byte)'#');
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.RespondUntilClose(body));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.PolicyFetchError, result.FailureResultType);
        Assert.Contains("larger than 65536 bytes", result.FailureDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_exactly_at_the_limit_is_read()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        var policy = Policy + "x-pad: " + new string('p', 1000) + "\n";
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.RespondUntilClose(Encoding.ASCII.GetBytes(policy)));
        var options = new MtaStsFetcherOptions
        {
            Port = server.Port,
            Timeout = TimeSpan.FromSeconds(20),
            ExtraTrustedRoots = [_authority],
            MaxPolicyBytes = policy.Length,
        };

        var result = await new MtaStsPolicyFetcher(_dns, options, TimeProvider.System).FetchAsync(Domain, CancellationToken.None);

        Assert.True(result.IsSuccess, result.FailureDetail);
    }

    [Fact]
    public async Task A_server_dribbling_bytes_hits_the_overall_timeout()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, DribbleAsync);
        var options = new MtaStsFetcherOptions { Port = server.Port, Timeout = TimeSpan.FromSeconds(1), ExtraTrustedRoots = [_authority] };
        var clock = Stopwatch.StartNew();

        var result = await new MtaStsPolicyFetcher(_dns, options, TimeProvider.System).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.PolicyFetchError, result.FailureResultType);
        Assert.Contains("no complete policy within 1 s", result.FailureDetail, StringComparison.Ordinal);

        // Every byte arrives well within any idle timeout; only the overall deadline can end the fetch.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task An_invalid_policy_is_sts_policy_invalid()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.Respond(200, "text/plain", "version: STSv1\nmode: enforce\nmx: mx.example.test\n"));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.PolicyInvalid, result.FailureResultType);
        Assert.Contains("max_age", result.FailureDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_sts_policy_invalid()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        byte[] body = [.. Encoding.ASCII.GetBytes(Policy), .. "x-bad: "u8.ToArray(), 0xff, (byte)'\n'];
        await using var server = new PolicyHttpsServer(certificate, PolicyHttpsServer.RespondUntilClose(body));

        var result = await Fetcher(server.Port).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailureTypes.PolicyInvalid, result.FailureResultType);
        Assert.Contains("UTF-8", result.FailureDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_cancellation_throws()
    {
        using var certificate = TestCertificates.Issue(_authority, PolicyHost);
        await using var server = new PolicyHttpsServer(certificate, DribbleAsync);
        using var cancel = new CancellationTokenSource();
        var fetch = Fetcher(server.Port).FetchAsync(Domain, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch);
    }

    private static async Task DribbleAsync(Stream stream, CancellationToken ct)
    {
        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10000\r\n\r\nversion: STSv1\n"u8.ToArray(), ct);
        await stream.FlushAsync(ct);
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            await stream.WriteAsync("#"u8.ToArray(), ct);
            await stream.FlushAsync(ct);
        }
    }

    private MtaStsFetcherOptions Options(int port) =>
        new() { Port = port, Timeout = TimeSpan.FromSeconds(20), ExtraTrustedRoots = [_authority] };

    private MtaStsPolicyFetcher Fetcher(int port) => new(_dns, Options(port), TimeProvider.System);
}
