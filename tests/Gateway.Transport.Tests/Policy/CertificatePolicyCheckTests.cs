using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Testing;
using Gateway.Transport.MtaSts;
using Gateway.Transport.Policy;
using Gateway.Transport.Tests.Dane;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Transport.Tests.Policy;

public sealed class CertificatePolicyCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TestCertificateChain _chain = TestCertificateChain.Create(Now, ["mx.example.org"]);
    private readonly CertificatePolicyCheck _check = new(new FakeTimeProvider(Now));

    public void Dispose() => _chain.Dispose();

    private static HopTlsRequirement Requirement(TlsLevel level, bool testing = false) => new()
    {
        Host = "mx.example.org",
        Level = level,
        TestingOnly = testing,
        VerifyNames = ["mx.example.org"],
        Report = TlsRptPolicy.NoPolicy("example.org"),
        MtaSts = level == TlsLevel.MtaSts ? new MtaStsPolicy(MtaStsMode.Enforce, ["mx.example.org"], TimeSpan.FromDays(1), "version: STSv1") : null,
    };

    private TlsCheckResult Check(HopTlsRequirement requirement, SslPolicyErrors errors, params X509ChainStatusFlags[] status) =>
        _check.Check(requirement, _chain.Leaf, _chain.Presented, errors, status);

    [Theory]
    [InlineData(TlsLevel.May)]
    [InlineData(TlsLevel.Encrypt)]
    public void Unauthenticated_levels_accept_any_certificate(TlsLevel level)
    {
        Assert.True(Check(Requirement(level), SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch).Accepted);
    }

    [Fact]
    public void Mta_sts_name_mismatch_names_the_policy_and_the_host()
    {
        var result = Check(Requirement(TlsLevel.MtaSts) with { Report = new TlsRptPolicy(TlsRptPolicyTypes.Sts, "example.org", [], []) }, SslPolicyErrors.RemoteCertificateNameMismatch);

        Assert.False(result.Accepted);
        Assert.Equal("TLS required by MTA-STS policy of example.org: certificate name mismatch for mx.example.org", result.Reason);
        Assert.Equal(TlsRptResultTypes.CertificateHostMismatch, result.ResultType);
    }

    [Fact]
    public void Verify_untrusted_chain_lists_the_status()
    {
        var result = Check(Requirement(TlsLevel.Verify), SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot);

        Assert.Equal("TLS required by policy (verify): certificate not trusted: UntrustedRoot", result.Reason);
        Assert.Equal(TlsRptResultTypes.CertificateNotTrusted, result.ResultType);
    }

    [Fact]
    public void Verify_expired_chain_is_reported_as_expired()
    {
        var result = Check(Requirement(TlsLevel.Verify), SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid);

        Assert.False(result.Accepted);
        Assert.Equal(TlsRptResultTypes.CertificateExpired, result.ResultType);
    }

    [Fact]
    public void Verify_with_a_clean_platform_validation_accepts()
    {
        Assert.Equal(TlsCheckResult.Accept, Check(Requirement(TlsLevel.Verify), SslPolicyErrors.None));
    }

    [Fact]
    public void Verify_with_match_names_checks_those_instead_of_the_host()
    {
        var requirement = Requirement(TlsLevel.Verify) with { VerifyNames = ["relay.internal.test"] };

        var result = Check(requirement, SslPolicyErrors.None);

        Assert.False(result.Accepted);
        Assert.Equal("TLS required by policy (verify): certificate of mx.example.org names none of relay.internal.test", result.Reason);
    }

    [Fact]
    public void Verify_with_pinned_anchors_validates_against_them_only()
    {
        var pinned = Requirement(TlsLevel.Verify) with { TrustAnchors = [_chain.Root] };
        using var other = TestCertificateChain.Create(Now, ["mx.example.org"]);

        // The platform's errors do not matter: the pinned CA decides.
        Assert.True(Check(pinned, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot).Accepted);
        var refused = _check.Check(pinned, other.Leaf, other.Presented, SslPolicyErrors.None, []);
        Assert.False(refused.Accepted);
        Assert.Equal(TlsRptResultTypes.CertificateNotTrusted, refused.ResultType);
    }

    [Fact]
    public void Dane_match_accepts_whatever_the_platform_said()
    {
        var requirement = Requirement(TlsLevel.Dane) with { Tlsa = [Tlsa.For(3, 1, 1, _chain.Leaf)] };

        Assert.True(Check(requirement, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch).Accepted);
    }

    [Fact]
    public void Dane_mismatch_is_refused_with_tlsa_invalid()
    {
        using var other = TestCertificateChain.Create(Now, ["mx.example.org"]);
        var requirement = Requirement(TlsLevel.Dane) with { Tlsa = [Tlsa.For(3, 1, 1, other.Leaf)] };

        var result = Check(requirement, SslPolicyErrors.None);

        Assert.False(result.Accepted);
        Assert.Equal("TLS required by DANE: no TLSA record matches the certificate of mx.example.org", result.Reason);
        Assert.Equal(TlsRptResultTypes.TlsaInvalid, result.ResultType);
    }

    [Fact]
    public void Testing_mode_accepts_but_reports()
    {
        var result = Check(Requirement(TlsLevel.MtaSts, testing: true), SslPolicyErrors.RemoteCertificateNameMismatch);

        Assert.True(result.Accepted);
        Assert.True(result.ReportOnly);
        Assert.True(result.IsReportedFailure);
        Assert.Equal(TlsRptResultTypes.CertificateHostMismatch, result.ResultType);
    }

    [Fact]
    public void Missing_starttls_is_refused_only_when_tls_is_mandatory()
    {
        Assert.True(CertificatePolicyCheck.StartTlsNotOffered(Requirement(TlsLevel.May)).Accepted);
        var refused = CertificatePolicyCheck.StartTlsNotOffered(Requirement(TlsLevel.Encrypt));
        Assert.Equal("TLS required by policy (encrypt): STARTTLS not offered by mx.example.org", refused.Reason);
        Assert.Equal(TlsRptResultTypes.StartTlsNotSupported, refused.ResultType);
        Assert.True(CertificatePolicyCheck.StartTlsNotOffered(Requirement(TlsLevel.MtaSts, testing: true)).ReportOnly);
    }

    [Fact]
    public void A_host_that_is_unavailable_is_refused_with_its_reason()
    {
        var requirement = Requirement(TlsLevel.Dane) with { UnavailableReason = "TLSA lookup failed", UnavailableResultType = TlsRptResultTypes.DnssecInvalid };

        var result = Check(requirement, SslPolicyErrors.None);

        Assert.Equal("TLS required by DANE: TLSA lookup failed", result.Reason);
        Assert.Equal(TlsRptResultTypes.DnssecInvalid, result.ResultType);
    }

    [Fact]
    public void The_callback_overload_finds_the_presented_chain_in_the_platform_chain()
    {
        // As in SslStream's callback: the platform built a chain (untrusted here) with the presented certificates.
        using var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.AddRange(_chain.Presented.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.Build(_chain.Leaf);
        var requirement = Requirement(TlsLevel.Dane) with { Tlsa = [Tlsa.For(2, 1, 1, _chain.Root)] };

        var result = _check.Check(requirement, _chain.Leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors);

        Assert.True(result.Accepted);
    }
}
