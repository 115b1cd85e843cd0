using System.Net;
using Gateway.Abstractions;

namespace Gateway.Policy.Tests;

public sealed class TrustDeciderTests
{
    private static readonly IPAddress Untrusted = IPAddress.Parse("203.0.113.9");
    private static readonly IPAddress UntrustedV6 = IPAddress.Parse("2001:db8:ffff::9");
    private static readonly IPAddress TrustedV4 = IPAddress.Parse("10.1.2.3");
    private static readonly IPAddress TrustedV6 = IPAddress.Parse("2001:db8:1::25");
    private static readonly IPAddress TrustedMapped = IPAddress.Parse("::ffff:10.1.2.3");
    private static readonly IPAddress UntrustedMapped = IPAddress.Parse("::ffff:203.0.113.9");

    private static GatewayPolicy Policy(bool allowRelay = true, bool rejectRouting = true) => new()
    {
        HostName = "mx.example.test",
        StateDirectory = "/var/lib/gateway",
        Domains = ["example.test", "xn--bcher-kva.example"],
        TrustedNetworks = [IPNetwork.Parse("10.1.0.0/16"), IPNetwork.Parse("2001:db8:1::/48")],
        Auth = new AuthPolicy { AllowRelay = allowRelay },
        Relay = new RelayPolicy { RejectRoutingLocalParts = rejectRouting },
    };

    private static RelayOutcome Decide(Mailbox recipient, IPAddress client, bool authenticated = false, bool allowRelay = true, bool rejectRouting = true)
        => Route(new TrustDecider(Policy(allowRelay, rejectRouting)), recipient, client, authenticated).Outcome;

    private static RelayResult Route(TrustDecider decider, Mailbox recipient, IPAddress client, bool authenticated) =>
        decider.Route(decider.Classify(Facts(client, authenticated ? "alice" : null)), recipient);

    internal static SessionFacts Facts(IPAddress client, string? user = null) => new()
    {
        SessionId = "s1",
        ListenerName = "inbound",
        RemoteEndPoint = new IPEndPoint(client, 40000),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 25),
        ConnectedAt = DateTimeOffset.UnixEpoch,
        AuthenticatedUser = user,
    };

    // Mailboxes as PathParser produces them: canonical lower-case A-label domains, source routes dropped,
    // quoted local parts unquoted with LocalPartWasQuoted set, literals bracketed and canonical.
    private static readonly Mailbox Ours = new("alice", "example.test");
    private static readonly Mailbox OursIdn = new("bob", "xn--bcher-kva.example");
    private static readonly Mailbox Foreign = new("victim", "elsewhere.example");
    private static readonly Mailbox Subdomain = new("alice", "sub.example.test");
    private static readonly Mailbox Suffix = new("alice", "badexample.test");
    private static readonly Mailbox ParentOfOurs = new("alice", "test");
    private static readonly Mailbox Percent = new("victim%elsewhere.example", "example.test");
    private static readonly Mailbox Bang = new("elsewhere.example!victim", "example.test");
    private static readonly Mailbox QuotedAt = new("victim@elsewhere.example", "example.test", LocalPartWasQuoted: true);
    private static readonly Mailbox QuotedPlain = new("john smith", "example.test", LocalPartWasQuoted: true);
    private static readonly Mailbox LiteralV4 = new("alice", "[192.0.2.1]", IsAddressLiteral: true);
    private static readonly Mailbox LiteralV6 = new("alice", "[IPv6:2001:db8::1]", IsAddressLiteral: true);
    private static readonly Mailbox Postmaster = new("Postmaster", string.Empty);
    private static readonly Mailbox PostmasterLower = new("postmaster", string.Empty);
    private static readonly Mailbox DomainlessNotPostmaster = new("root", string.Empty);
    private static readonly Mailbox PostmasterForeign = new("postmaster", "elsewhere.example");

    // <@example.test:victim@elsewhere.example> -> the parser drops the route: victim@elsewhere.example.
    private static readonly Mailbox SourceRouteToForeign = new("victim", "elsewhere.example");

    // <@elsewhere.example:alice@example.test> -> alice@example.test.
    private static readonly Mailbox SourceRouteToOurs = new("alice", "example.test");

    private static readonly Dictionary<string, Mailbox> Mailboxes = new()
    {
        [nameof(Ours)] = Ours,
        [nameof(OursIdn)] = OursIdn,
        [nameof(Foreign)] = Foreign,
        [nameof(Subdomain)] = Subdomain,
        [nameof(Suffix)] = Suffix,
        [nameof(ParentOfOurs)] = ParentOfOurs,
        [nameof(Percent)] = Percent,
        [nameof(Bang)] = Bang,
        [nameof(QuotedAt)] = QuotedAt,
        [nameof(QuotedPlain)] = QuotedPlain,
        [nameof(LiteralV4)] = LiteralV4,
        [nameof(LiteralV6)] = LiteralV6,
        [nameof(Postmaster)] = Postmaster,
        [nameof(PostmasterLower)] = PostmasterLower,
        [nameof(DomainlessNotPostmaster)] = DomainlessNotPostmaster,
        [nameof(PostmasterForeign)] = PostmasterForeign,
        [nameof(SourceRouteToForeign)] = SourceRouteToForeign,
        [nameof(SourceRouteToOurs)] = SourceRouteToOurs,
    };

    public static TheoryData<string, RelayOutcome> UntrustedCases => new()
    {
        { "Ours", RelayOutcome.Inbound },
        { "OursIdn", RelayOutcome.Inbound },
        { "Foreign", RelayOutcome.Denied },
        { "Subdomain", RelayOutcome.Denied },
        { "Suffix", RelayOutcome.Denied },
        { "ParentOfOurs", RelayOutcome.Denied },
        { "Percent", RelayOutcome.Denied },
        { "Bang", RelayOutcome.Denied },
        { "QuotedAt", RelayOutcome.Denied },
        { "QuotedPlain", RelayOutcome.Inbound },
        { "LiteralV4", RelayOutcome.Denied },
        { "LiteralV6", RelayOutcome.Denied },
        { "Postmaster", RelayOutcome.Inbound },
        { "PostmasterLower", RelayOutcome.Inbound },
        { "DomainlessNotPostmaster", RelayOutcome.Denied },
        { "PostmasterForeign", RelayOutcome.Denied },
        { "SourceRouteToForeign", RelayOutcome.Denied },
        { "SourceRouteToOurs", RelayOutcome.Inbound },
    };

    public static TheoryData<string, RelayOutcome> TrustedCases => new()
    {
        { "Ours", RelayOutcome.Inbound },
        { "Foreign", RelayOutcome.Outbound },
        { "Subdomain", RelayOutcome.Outbound },
        { "Percent", RelayOutcome.Inbound },
        { "Bang", RelayOutcome.Inbound },
        { "QuotedAt", RelayOutcome.Inbound },
        { "LiteralV4", RelayOutcome.Outbound },
        { "LiteralV6", RelayOutcome.Outbound },
        { "Postmaster", RelayOutcome.Inbound },
        { "DomainlessNotPostmaster", RelayOutcome.Denied },
        { "SourceRouteToForeign", RelayOutcome.Outbound },
    };

    [Theory]
    [MemberData(nameof(UntrustedCases))]
    public void Untrusted_ipv4_client(string name, RelayOutcome expected)
        => Assert.Equal(expected, Decide(Mailboxes[name], Untrusted));

    [Theory]
    [MemberData(nameof(UntrustedCases))]
    public void Untrusted_ipv6_client(string name, RelayOutcome expected)
        => Assert.Equal(expected, Decide(Mailboxes[name], UntrustedV6));

    [Theory]
    [MemberData(nameof(UntrustedCases))]
    public void Untrusted_v4_mapped_client(string name, RelayOutcome expected)
        => Assert.Equal(expected, Decide(Mailboxes[name], UntrustedMapped));

    [Theory]
    [MemberData(nameof(UntrustedCases))]
    public void Authenticated_client_without_allow_relay_is_untrusted(string name, RelayOutcome expected)
        => Assert.Equal(expected, Decide(Mailboxes[name], Untrusted, authenticated: true, allowRelay: false));

    [Theory]
    [MemberData(nameof(TrustedCases))]
    public void Trusted_ipv4_network_client(string name, RelayOutcome expected)
        => Assert.Equal(expected, Decide(Mailboxes[name], TrustedV4));

    [Theory]
    [MemberData(nameof(TrustedCases))]
    public void Trusted_ipv6_network_client(string name, RelayOutcome expected)
        => Assert.Equal(expected, Decide(Mailboxes[name], TrustedV6));

    [Theory]
    [MemberData(nameof(TrustedCases))]
    public void Trusted_v4_mapped_v6_client_compares_as_ipv4(string name, RelayOutcome expected)
        => Assert.Equal(expected, Decide(Mailboxes[name], TrustedMapped));

    [Theory]
    [MemberData(nameof(TrustedCases))]
    public void Authenticated_client_with_allow_relay(string name, RelayOutcome expected)
        => Assert.Equal(expected, Decide(Mailboxes[name], Untrusted, authenticated: true));

    [Theory]
    [MemberData(nameof(TrustedCases))]
    public void Trusted_network_does_not_need_allow_relay(string name, RelayOutcome expected)
        => Assert.Equal(expected, Decide(Mailboxes[name], TrustedV4, allowRelay: false));

    [Fact]
    public void Routing_local_parts_are_inbound_when_the_check_is_off()
    {
        Assert.Equal(RelayOutcome.Inbound, Decide(Percent, Untrusted, rejectRouting: false));
        Assert.Equal(RelayOutcome.Inbound, Decide(Bang, Untrusted, rejectRouting: false));
        Assert.Equal(RelayOutcome.Inbound, Decide(QuotedAt, Untrusted, rejectRouting: false));
    }

    [Fact]
    public void Routing_local_parts_to_foreign_domains_are_still_denied_when_the_check_is_off()
    {
        Assert.Equal(RelayOutcome.Denied, Decide(new Mailbox("a%b", "elsewhere.example"), Untrusted, rejectRouting: false));
    }

    [Fact]
    public void Ipv6_client_outside_the_trusted_v6_network_is_untrusted()
    {
        Assert.Equal(RelayOutcome.Denied, Decide(Foreign, IPAddress.Parse("2001:db8:2::1")));
    }

    [Fact]
    public void Ipv4_network_does_not_match_an_ipv6_address_with_the_same_bits()
    {
        // 10.1.2.3 written into the first IPv6 octets is not 10.1.2.3.
        Assert.Equal(RelayOutcome.Denied, Decide(Foreign, IPAddress.Parse("a01:203::")));
    }

    [Fact]
    public void No_trusted_networks_and_no_auth_means_nothing_relays()
    {
        var decider = new TrustDecider(new GatewayPolicy { HostName = "mx.example.test", StateDirectory = "/x", Domains = ["example.test"] });

        Assert.Equal(RelayOutcome.Denied, Route(decider, Foreign, IPAddress.Loopback, authenticated: false).Outcome);
        Assert.Equal(RelayOutcome.Inbound, Route(decider, Ours, IPAddress.Loopback, authenticated: false).Outcome);
    }

    [Fact]
    public void Non_canonical_domain_fails_closed()
    {
        // The parser canonicalises; if something did not, a near-miss spelling must not count as ours.
        Assert.Equal(RelayOutcome.Denied, Decide(new Mailbox("alice", "EXAMPLE.TEST"), Untrusted));
        Assert.Equal(RelayOutcome.Denied, Decide(new Mailbox("alice", "example.test."), Untrusted));
    }

    [Fact]
    public void Literal_that_spells_a_domain_of_ours_is_never_inbound()
    {
        Assert.Equal(RelayOutcome.Denied, Decide(new Mailbox("alice", "example.test", IsAddressLiteral: true), Untrusted));
        Assert.Equal(RelayOutcome.Outbound, Decide(new Mailbox("alice", "example.test", IsAddressLiteral: true), TrustedV4));
    }

    [Fact]
    public void Reasons_explain_the_decision()
    {
        var decider = new TrustDecider(Policy());

        Assert.Equal("routing characters in local part", Route(decider, Percent, Untrusted, false).Reason);
        Assert.Equal("foreign domain from an untrusted client", Route(decider, Foreign, Untrusted, false).Reason);
        Assert.Equal("foreign domain, client trusted by network", Route(decider, Foreign, TrustedV4, false).Reason);
        Assert.Equal("foreign domain, client trusted by authentication", Route(decider, Foreign, Untrusted, true).Reason);
        Assert.Equal("bare postmaster (RFC 5321 4.5.1)", Route(decider, Postmaster, Untrusted, false).Reason);
    }

    [Fact]
    public void Trusted_network_check_is_exposed_and_unmaps_v4()
    {
        var decider = new TrustDecider(Policy());

        Assert.True(decider.IsTrustedNetwork(TrustedMapped));
        Assert.True(decider.IsTrustedNetwork(IPAddress.Parse("10.1.255.255")));
        Assert.False(decider.IsTrustedNetwork(IPAddress.Parse("10.2.0.0")));
    }
    [Theory]
    [InlineData("203.0.113.9", null, true, ClientClass.Anonymous)]
    [InlineData("203.0.113.9", "alice", true, ClientClass.AuthenticatedRelay)]
    [InlineData("203.0.113.9", "alice", false, ClientClass.Authenticated)]
    [InlineData("10.1.2.3", null, true, ClientClass.TrustedNetwork)]
    [InlineData("10.1.2.3", "alice", false, ClientClass.TrustedNetwork)]
    [InlineData("::ffff:10.1.2.3", null, true, ClientClass.TrustedNetwork)]
    public void Client_class_follows_network_then_authentication(string address, string? user, bool allowRelay, ClientClass expected)
    {
        var trust = new TrustDecider(Policy(allowRelay)).Classify(Facts(IPAddress.Parse(address), user));

        Assert.Equal(expected, trust.Class);
        Assert.Equal(user, trust.User);
        Assert.Equal(expected is ClientClass.TrustedNetwork or ClientClass.AuthenticatedRelay, trust.MayRelay);
        Assert.Equal(user is not null && expected != ClientClass.TrustedNetwork, trust.MustOwnSenders);
    }

    private static TrustDecider WithSenders(params (string Login, SenderPattern[] Patterns)[] map) => new(Policy() with
    {
        Auth = new AuthPolicy
        {
            Senders = map.ToDictionary(m => m.Login, m => (IReadOnlyList<SenderPattern>)m.Patterns, StringComparer.Ordinal),
        },
    });

    [Theory]
    [InlineData("alice", "alice", "example.test", true)]
    [InlineData("alice", "Alice", "example.test", true)]
    [InlineData("alice", "bob", "example.test", false)]
    [InlineData("alice", "alice", "elsewhere.example", false)]
    [InlineData("sales", "anyone", "sales.example.test", true)]
    [InlineData("sales", "anyone", "example.test", false)]
    [InlineData("app", "whoever", "anywhere.example", true)]
    [InlineData("nobody", "nobody", "example.test", false)]
    [InlineData("carol@example.test", "carol", "example.test", true)]
    [InlineData("carol@example.test", "CAROL", "EXAMPLE.test", true)]
    [InlineData("carol@example.test", "dave", "example.test", false)]
    public void Authenticated_clients_use_only_the_senders_they_own(string login, string local, string domain, bool owned)
    {
        var decider = WithSenders(
            ("alice", [new SenderPattern("alice", "example.test")]),
            ("sales", [new SenderPattern(null, "sales.example.test")]),
            ("app", [SenderPattern.Any]),
            ("nobody", []));

        var trust = decider.Classify(Facts(Untrusted, login));

        Assert.Equal(owned, decider.OwnsSender(trust, new Mailbox(local, domain)));
    }

    [Fact]
    public void Null_sender_trusted_networks_and_anonymous_clients_need_no_ownership()
    {
        var decider = WithSenders(("alice", []));
        var stranger = new Mailbox("ceo", "example.test");

        Assert.True(decider.OwnsSender(decider.Classify(Facts(Untrusted, "alice")), null));
        Assert.True(decider.OwnsSender(decider.Classify(Facts(TrustedV4, "alice")), stranger));
        Assert.True(decider.OwnsSender(decider.Classify(Facts(TrustedV4)), stranger));
        Assert.True(decider.OwnsSender(decider.Classify(Facts(Untrusted)), stranger));
        Assert.False(decider.OwnsSender(decider.Classify(Facts(Untrusted, "alice")), stranger));
    }
}
