using Gateway.Host.MtaSts;
using Gateway.Policy;
using Gateway.Transport.MtaSts;

namespace Gateway.Tests;

public sealed class PublishedMtaStsPolicyTests
{
    private static GatewayPolicy Policy(MtaStsPublishPolicy sts) => new()
    {
        HostName = "gw.example.test",
        StateDirectory = "/nonexistent",
        Domains = ["example.test"],
        MtaSts = sts,
    };

    [Fact]
    public void The_policy_text_has_the_rfc_8461_fields_with_crlf_and_defaults_to_our_host_name()
    {
        var published = PublishedMtaStsPolicy.For(Policy(new MtaStsPublishPolicy()));

        Assert.Equal("version: STSv1\r\nmode: testing\r\nmx: gw.example.test\r\nmax_age: 604800\r\n", published.Text);
        Assert.Matches("^[0-9a-f]{20}$", published.Id);
    }

    [Fact]
    public void The_id_changes_when_and_only_when_the_served_policy_changes()
    {
        var testing = PublishedMtaStsPolicy.For(Policy(new MtaStsPublishPolicy { Mx = ["mx1.example.test", "*.example.test"] }));
        var again = PublishedMtaStsPolicy.For(Policy(new MtaStsPublishPolicy { Mx = ["mx1.example.test", "*.example.test"], ReportTo = "mailto:r@example.test" }));
        var enforce = PublishedMtaStsPolicy.For(Policy(new MtaStsPublishPolicy { Mx = ["mx1.example.test", "*.example.test"], Mode = MtaStsMode.Enforce }));

        Assert.Equal(testing.Id, again.Id);
        Assert.NotEqual(testing.Id, enforce.Id);
        Assert.Contains("mx: mx1.example.test\r\nmx: *.example.test\r\n", enforce.Text, StringComparison.Ordinal);
        Assert.Contains("mode: enforce\r\n", enforce.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_name_the_mta_sts_id_and_the_tls_report_address()
    {
        var policy = Policy(new MtaStsPublishPolicy { ReportTo = "mailto:tlsrpt@example.test" });
        var published = PublishedMtaStsPolicy.For(policy);

        Assert.Equal(
            [$"_mta-sts.example.test. IN TXT \"v=STSv1; id={published.Id}\"", "_smtp._tls.example.test. IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.test\""],
            published.Records(policy, "example.test"));
        Assert.Single(PublishedMtaStsPolicy.For(Policy(new MtaStsPublishPolicy())).Records(Policy(new MtaStsPublishPolicy()), "example.test"));
    }
}
