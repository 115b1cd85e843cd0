using System.Net;
using Gateway.Authentication.Spf;
using Gateway.Dns;

namespace Gateway.Authentication.Tests.Spf;

/// <summary>
/// A record full of macros cannot make one expansion huge: it is cut at a bound, and a long name loses its left
/// labels in one step (RFC 7208 7.3), so the result is the RFC's and the cost stays linear.
/// </summary>
public sealed class SpfExpansionBoundTests
{
    [Fact]
    public async Task A_record_of_a_thousand_sender_macros_is_evaluated_to_its_result()
    {
        var record = "v=spf1 exists:" + string.Concat(Enumerable.Repeat("%{s}.", 800)) + "x.example -all";
        Assert.True(record.Length < 4096);
        var dns = new InMemoryDnsResolver().AddTxt("example.org", record);
        var sender = new string('a', 60) + "@example.org";

        var check = await new SpfVerifier(dns).VerifyMailFromAsync(IPAddress.Parse("192.0.2.10"), "mail.example.org", sender, CancellationToken.None);

        // The expanded name keeps its right-hand 253 characters; nothing exists there, so -all decides.
        Assert.Equal(SpfResult.Fail, check.Result);
    }

    [Fact]
    public void An_expansion_is_cut_at_the_bound()
    {
        Assert.True(SpfMacroString.TryParse(string.Concat(Enumerable.Repeat("%{s}", 1000)), explanation: false, out var macro, out _));
        var values = new SpfMacroValues(
            Sender: new string('a', 60) + "@example.org", LocalPart: new string('a', 60), SenderDomain: "example.org", Domain: "example.org",
            IpDotted: "192.0.2.10", ValidatedName: "unknown", IpVersion: "in-addr", Helo: "mail.example.org",
            ClientReadable: "192.0.2.10", ReceivingHost: "mx.example.test", Timestamp: "0");

        var expanded = macro!.Expand(values);

        Assert.Equal(SpfMacroString.MaxExpansionLength, expanded.Length);
        Assert.StartsWith(new string('a', 60) + "@example.org" + new string('a', 60), expanded, StringComparison.Ordinal);
    }
}
