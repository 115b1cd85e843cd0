using System.Net;
using Gateway.Abstractions;

namespace Gateway.Policy.Tests;

public sealed class AuthenticationPolicyTests : IDisposable
{
    /// <summary>Minimal policy plus two domains (line 5); "authentication:" is line 6.</summary>
    private const string Base = PolicyFiles.Minimal + "domains: [example.test, other.test]\n";

    private readonly PolicyFiles _files = new();

    public AuthenticationPolicyTests()
    {
        _files.Write("keys/example.pem", "-----BEGIN PRIVATE KEY-----\n");
        _files.Write("keys/arc.pem", "-----BEGIN PRIVATE KEY-----\n");
    }

    public void Dispose() => _files.Dispose();

    /// <summary>"authentication:" at line 6, <paramref name="body"/> from line 7.</summary>
    private static string Auth(string body) => Base + "authentication:\n" + body;

    /// <summary>"authentication:" line 6, "&lt;section&gt;:" line 7, <paramref name="body"/> from line 8 (indent 4).</summary>
    private static string Section(string section, string body) => Auth($"  {section}:\n" + body);

    /// <summary>"sign:" at line 8, one item from line 9: "- &lt;first&gt;" then <paramref name="more"/> (keys at column 9).</summary>
    private static string SignItem(string first, params string[] more)
        => Section("dkim", "    sign:\n      - " + first + "\n" + string.Concat(more.Select(m => "        " + m + "\n")));

    private GatewayPolicy Valid(string text)
    {
        var result = _files.Load(text);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        return result.Policy!;
    }

    private void AssertError(string text, int line, int column, string messagePart, string file = "gateway.yaml")
    {
        var result = _files.Load(text);
        Assert.False(result.Success);
        Assert.Null(result.Policy);
        var error = Assert.Single(result.Errors);
        Assert.Equal(_files.PathOf(file), error.File);
        Assert.True(line == error.Line && column == error.Column, $"expected {line}:{column}, got {error}");
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    private List<string> Errors(string text)
        => [.. _files.Load(text).Errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}")];

    private static int ValueColumn(string line, int indent) => indent + line.IndexOf(':', StringComparison.Ordinal) + 2;

    // ---- defaults ----

    [Fact]
    public void Minimal_policy_verifies_everything_and_signs_nothing()
    {
        var a = Valid(PolicyFiles.Minimal).Authentication;

        AssertDefaults(a, "mx.example.test");
    }

    [Fact]
    public void Shipped_default_policy_has_authentication_on_with_the_host_name_as_authserv_id()
    {
        var result = PolicyLoader.Load(Path.Combine(PolicyFiles.RepositoryRoot(), "policies", "gateway.yaml"));

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        AssertDefaults(result.Policy!.Authentication, "mx.gateway.test");
    }

    [Fact]
    public void Hand_built_policy_has_the_same_defaults_except_the_authserv_id()
    {
        var a = new GatewayPolicy { HostName = "mx.example.test", StateDirectory = "/var/lib/gateway" }.Authentication;

        Assert.Null(a.AuthservId);
        AssertDefaults(a with { AuthservId = "x.test" }, "x.test");
    }

    private static void AssertDefaults(AuthenticationPolicy a, string authservId)
    {
        Assert.Equal(authservId, a.AuthservId);
        Assert.Equal(new SpfPolicy { Verify = true, RejectFail = false }, a.Spf);
        Assert.True(a.Dkim.Verify);
        Assert.Equal(10, a.Dkim.MaxSignatures);
        Assert.False(a.Dkim.AllowUnsignedContent);
        Assert.Empty(a.Dkim.Sign);
        Assert.True(a.Arc.Verify);
        Assert.Empty(a.Arc.TrustedSealers);
        Assert.Null(a.Arc.Seal);
        var d = a.Dmarc;
        Assert.True(d.Verify);
        Assert.True(d.Enforce);
        Assert.Equal(DmarcQuarantineAction.Hold, d.Quarantine);
        Assert.Equal(DmarcTempErrorAction.TempFail, d.TempError);
        Assert.Empty(d.TrustedForwarders);
        Assert.Empty(d.Exceptions);
        Assert.Null(d.PublicSuffixList);
        Assert.Equal(new DmarcReportsPolicy(), d.Reports);
        Assert.False(d.Reports.Enabled);
        Assert.Equal(TimeSpan.FromHours(24), d.Reports.Interval);
        Assert.Null(d.Reports.OrgName);
        Assert.Null(d.Reports.From);
        Assert.Equal(100_000, d.Reports.MaxRecordsPerDay);
    }

    [Fact]
    public void Null_values_and_empty_sections_mean_the_defaults()
    {
        AssertDefaults(Valid(Base + "authentication:\n").Authentication, "mx.example.test");
        AssertDefaults(Valid(Base + "authentication: {}\n").Authentication, "mx.example.test");
        AssertDefaults(Valid(Auth("  spf: {}\n  dkim: {}\n  arc: {}\n  dmarc:\n    reports: {}\n")).Authentication, "mx.example.test");
        AssertDefaults(
            Valid(Auth("""
                  authserv_id: ~
                  spf:
                    verify: null
                    reject_fail:
                  dkim:
                    verify: ~
                    max_signatures: null
                    sign: null
                  arc:
                    verify:
                    trusted_sealers: ~
                    seal: null
                  dmarc:
                    verify: null
                    enforce: null
                    quarantine: ~
                    temperror: ~
                    trusted_forwarders: null
                    exceptions: null
                    public_suffix_list: null
                    reports:
                      enabled: null
                      interval: ~
                      org_name: null
                      from: ~
                      max_records_per_day: null
                """)).Authentication,
            "mx.example.test");
    }

    // ---- a full section ----

    [Fact]
    public void Full_section_reads_every_key()
    {
        _files.Write("psl/public_suffix_list.dat", "com\n");
        var p = Valid(Auth("""
              authserv_id: Auth.Example.TEST
              spf:
                verify: true
                reject_fail: true
              dkim:
                verify: false
                max_signatures: 3
                sign:
                  - domain: Example.TEST
                    selector: S2026
                    key: keys/example.pem
                    algorithm: rsa-sha256
                  - domain: example.test
                    selector: ed.2026
                    key: keys/example.pem
                    algorithm: ed25519-sha256
                  - domain: other.test
                    selector: s2026
                    key: keys/example.pem
              arc:
                verify: true
                trusted_sealers: [Google.COM, "bücher.example"]
                seal:
                  domain: other.test
                  selector: arc
                  key: keys/arc.pem
              dmarc:
                verify: true
                enforce: false
                quarantine: deliver
                temperror: accept
                trusted_forwarders: [192.0.2.0/24, "2001:db8::/32", 198.51.100.7]
                exceptions: [Partner.TEST]
                public_suffix_list: psl/public_suffix_list.dat
                reports:
                  enabled: true
                  interval: 6h
                  org_name: Example Org
                  from: dmarc-noreply@Example.TEST
                  max_records_per_day: 5000
            """));

        var a = p.Authentication;
        Assert.Equal("auth.example.test", a.AuthservId);
        Assert.Equal(new SpfPolicy { Verify = true, RejectFail = true }, a.Spf);
        Assert.False(a.Dkim.Verify);
        Assert.Equal(3, a.Dkim.MaxSignatures);
        var key = _files.PathOf("keys/example.pem");
        var gateway = _files.PathOf("gateway.yaml");
        Assert.Equal(
            [
                new DkimSigningKeyPolicy("example.test", "s2026", key, DkimAlgorithm.RsaSha256, new PolicyPosition(gateway, 17, 14)),
                new DkimSigningKeyPolicy("example.test", "ed.2026", key, DkimAlgorithm.Ed25519Sha256, new PolicyPosition(gateway, 21, 14)),
                new DkimSigningKeyPolicy("other.test", "s2026", key, null, new PolicyPosition(gateway, 25, 14)),
            ],
            a.Dkim.Sign);
        Assert.True(a.Arc.Verify);
        Assert.Equal(["google.com", "xn--bcher-kva.example"], a.Arc.TrustedSealers);
        Assert.Equal(new ArcSealPolicy("other.test", "arc", _files.PathOf("keys/arc.pem"), new PolicyPosition(gateway, 32, 12)), a.Arc.Seal);
        var d = a.Dmarc;
        Assert.True(d.Verify);
        Assert.False(d.Enforce);
        Assert.Equal(DmarcQuarantineAction.Deliver, d.Quarantine);
        Assert.Equal(DmarcTempErrorAction.Accept, d.TempError);
        Assert.Equal([IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("198.51.100.7/32")], d.TrustedForwarders);
        Assert.Equal(["partner.test"], d.Exceptions);
        Assert.Equal(_files.PathOf("psl/public_suffix_list.dat"), d.PublicSuffixList);
        Assert.Equal(
            new DmarcReportsPolicy
            {
                Enabled = true,
                Interval = TimeSpan.FromHours(6),
                OrgName = "Example Org",
                From = new Mailbox("dmarc-noreply", "example.test"),
                MaxRecordsPerDay = 5000,
            },
            d.Reports);
    }

    [Fact]
    public void Key_source_position_makes_a_compiler_style_error()
    {
        var p = Valid(SignItem("domain: example.test", "selector: s1", "key: keys/example.pem"));

        var source = Assert.Single(p.Authentication.Dkim.Sign).Source;
        Assert.Equal($"{_files.PathOf("gateway.yaml")}:11:14", source.ToString());
        Assert.Equal(new PolicyError(_files.PathOf("gateway.yaml"), 11, 14, "not a PEM key"), source.At("not a PEM key"));
        Assert.Equal($"{_files.PathOf("gateway.yaml")}:11:14: not a PEM key", source.At("not a PEM key").ToString());
    }

    // ---- authserv_id ----

    [Theory]
    [InlineData("MX.Example.TEST", "mx.example.test")]
    [InlineData("auth.bücher.example", "auth.xn--bcher-kva.example")]
    [InlineData("elsewhere.test", "elsewhere.test")]
    public void Authserv_id_is_a_canonical_domain(string text, string expected)
        => Assert.Equal(expected, Valid(Auth($"  authserv_id: \"{text}\"\n")).Authentication.AuthservId);

    [Theory]
    [InlineData("authserv_id: mx", "authentication.authserv_id: 'mx' is not a fully qualified domain name")]
    [InlineData("authserv_id: mx.example.test.", "without a trailing dot")]
    [InlineData("authserv_id: mx_1.example.test", "'mx_1.example.test' is not a valid domain name")]
    [InlineData("authserv_id: \"mx.example.test; x\"", "is not a valid domain name")]
    [InlineData("authserv_id: 192.0.2.1", "numeric top-level label")]
    [InlineData("authserv_id: [mx.example.test]", "authentication.authserv_id: expected a string, found a sequence")]
    [InlineData("authserv_id: \"\"", "domain name is empty")]
    public void Bad_authserv_id_is_reported_at_the_value(string line, string messagePart)
        => AssertError(Auth("  " + line + "\n"), 7, ValueColumn(line, 3), messagePart);

    // ---- structure and unknown keys ----

    [Theory]
    [InlineData("authentication: true\n", 6, 17, "authentication: expected a mapping, found 'true'")]
    [InlineData("authentication: [spf]\n", 6, 17, "authentication: expected a mapping, found a sequence")]
    [InlineData("authentication:\n  spf: off\n", 7, 8, "authentication.spf: expected a mapping, found 'off'")]
    [InlineData("authentication:\n  dkim: []\n", 7, 9, "authentication.dkim: expected a mapping, found a sequence")]
    [InlineData("authentication:\n  arc: true\n", 7, 8, "authentication.arc: expected a mapping, found 'true'")]
    [InlineData("authentication:\n  dmarc: reject\n", 7, 10, "authentication.dmarc: expected a mapping, found 'reject'")]
    [InlineData("authentication:\n  dmarc:\n    reports: true\n", 8, 14, "authentication.dmarc.reports: expected a mapping, found 'true'")]
    [InlineData("authentication:\n  arc:\n    seal: keys/arc.pem\n", 8, 11, "authentication.arc.seal: expected a mapping, found 'keys/arc.pem'")]
    [InlineData("authentication:\n  dkim:\n    sign: keys/example.pem\n", 8, 11, "authentication.dkim.sign: expected a sequence, found 'keys/example.pem'")]
    [InlineData("authentication:\n  dkim:\n    sign:\n      - keys/example.pem\n", 9, 9, "authentication.dkim.sign[0]: expected a mapping, found 'keys/example.pem'")]
    [InlineData("authentication:\n  arc:\n    trusted_sealers: google.com\n", 8, 22, "authentication.arc.trusted_sealers: expected a sequence, found 'google.com'")]
    [InlineData("authentication:\n  dmarc:\n    exceptions: partner.test\n", 8, 17, "authentication.dmarc.exceptions: expected a sequence, found 'partner.test'")]
    [InlineData("authentication:\n  dmarc:\n    trusted_forwarders: 10.0.0.0/8\n", 8, 25, "authentication.dmarc.trusted_forwarders: expected a sequence, found '10.0.0.0/8'")]
    public void Wrong_node_types_are_reported_where_they_are(string section, int line, int column, string message)
        => AssertError(Base + section, line, column, message);

    [Theory]
    [InlineData("authentcation:\n  spf: {}\n", 6, 1, "unknown key 'authentcation' at the top level; did you mean 'authentication'?")]
    [InlineData("authentication:\n  authservid: mx.example.test\n", 7, 3, "unknown key 'authservid' in authentication; did you mean 'authserv_id'?")]
    [InlineData("authentication:\n  dmarc_reports: {}\n", 7, 3, "unknown key 'dmarc_reports' in authentication")]
    [InlineData("authentication:\n  spf:\n    rejectfail: true\n", 8, 5, "unknown key 'rejectfail' in authentication.spf; did you mean 'reject_fail'?")]
    [InlineData("authentication:\n  dkim:\n    max_signature: 5\n", 8, 5, "unknown key 'max_signature' in authentication.dkim; did you mean 'max_signatures'?")]
    [InlineData("authentication:\n  dkim:\n    signing: []\n", 8, 5, "unknown key 'signing' in authentication.dkim")]
    [InlineData("authentication:\n  arc:\n    trusted_sealer: [google.com]\n", 8, 5, "unknown key 'trusted_sealer' in authentication.arc; did you mean 'trusted_sealers'?")]
    [InlineData("authentication:\n  arc:\n    seal:\n      domian: example.test\n      domain: example.test\n      selector: arc\n      key: keys/arc.pem\n", 9, 7, "unknown key 'domian' in authentication.arc.seal; did you mean 'domain'?")]
    [InlineData("authentication:\n  dmarc:\n    temp_error: accept\n", 8, 5, "unknown key 'temp_error' in authentication.dmarc; did you mean 'temperror'?")]
    [InlineData("authentication:\n  dmarc:\n    report:\n      enabled: false\n", 8, 5, "unknown key 'report' in authentication.dmarc; did you mean 'reports'?")]
    [InlineData("authentication:\n  dmarc:\n    reports:\n      orgname: x\n", 9, 7, "unknown key 'orgname' in authentication.dmarc.reports; did you mean 'org_name'?")]
    [InlineData("authentication:\n  dmarc:\n    p: reject\n", 8, 5, "unknown key 'p' in authentication.dmarc")]
    public void Unknown_keys_are_errors_with_a_hint(string section, int line, int column, string message)
        => AssertError(Base + section, line, column, message);

    [Fact]
    public void Unknown_sign_item_key_names_the_item()
    {
        var error = Assert.Single(Errors(SignItem("domain: example.test", "selecter: s1", "key: keys/example.pem", "selector: s1")));

        Assert.Equal("10:9: unknown key 'selecter' in authentication.dkim.sign[0]; did you mean 'selector'?", error);
    }

    [Fact]
    public void Duplicate_key_is_a_yaml_error_at_the_second()
        => AssertError(Section("spf", "    verify: true\n    verify: false\n"), 9, 5, "duplicate key 'verify' (first defined at line 8, column 5)");

    // ---- booleans ----

    [Theory]
    [InlineData("spf", "verify")]
    [InlineData("spf", "reject_fail")]
    [InlineData("dkim", "verify")]
    [InlineData("arc", "verify")]
    [InlineData("dmarc", "verify")]
    [InlineData("dmarc", "enforce")]
    public void Booleans_accept_only_true_and_false(string section, string key)
    {
        AssertError(Section(section, $"    {key}: yes\n"), 8, key.Length + 7, $"authentication.{section}.{key}: expected true or false, found 'yes'");
        AssertError(Section(section, $"    {key}: \"true\"\n"), 8, key.Length + 7, "expected true or false, found the string \"true\"");
        AssertError(Section(section, $"    {key}: 1\n"), 8, key.Length + 7, "expected true or false, found '1'");
    }

    [Fact]
    public void Reports_enabled_accepts_only_true_and_false()
        => AssertError(Section("dmarc", "    reports:\n      enabled: on\n"), 9, 16, "authentication.dmarc.reports.enabled: expected true or false, found 'on'");

    [Fact]
    public void Verification_can_be_switched_off_per_method()
    {
        var a = Valid(Auth("  spf:\n    verify: false\n  dkim:\n    verify: false\n  arc:\n    verify: False\n  dmarc:\n    verify: FALSE\n    enforce: false\n")).Authentication;

        Assert.Equal((false, false, false, false, false), (a.Spf.Verify, a.Dkim.Verify, a.Arc.Verify, a.Dmarc.Verify, a.Dmarc.Enforce));
    }

    // ---- spf ----

    [Fact]
    public void Spf_reject_fail_without_verify_is_an_error_at_reject_fail()
        => AssertError(
            Section("spf", "    reject_fail: true\n    verify: false\n"),
            8,
            18,
            "authentication.spf.reject_fail: needs authentication.spf.verify: true");

    [Fact]
    public void Spf_reject_fail_off_with_verify_off_is_fine()
        => Assert.Equal(
            new SpfPolicy { Verify = false, RejectFail = false },
            Valid(Section("spf", "    reject_fail: false\n    verify: false\n")).Authentication.Spf);

    [Fact]
    public void Spf_reject_fail_with_an_invalid_verify_reports_only_the_type_error()
        => AssertError(Section("spf", "    reject_fail: true\n    verify: no\n"), 9, 13, "authentication.spf.verify: expected true or false, found 'no'");

    // ---- dkim ----

    [Theory]
    [InlineData("max_signatures: 1", 1)]
    [InlineData("max_signatures: 50", 50)]
    [InlineData("max_signatures: 010", 10)]
    public void Max_signatures_range_is_inclusive(string line, int expected)
        => Assert.Equal(expected, Valid(Section("dkim", "    " + line + "\n")).Authentication.Dkim.MaxSignatures);

    [Theory]
    [InlineData("max_signatures: 0", "authentication.dkim.max_signatures: 0 is out of range 1..50")]
    [InlineData("max_signatures: 51", "authentication.dkim.max_signatures: 51 is out of range 1..50")]
    [InlineData("max_signatures: -1", "out of range 1..50")]
    [InlineData("max_signatures: \"10\"", "expected an integer, found the string \"10\"")]
    [InlineData("max_signatures: ten", "expected an integer, found 'ten'")]
    [InlineData("max_signatures: 1.5", "expected an integer, found '1.5'")]
    public void Bad_max_signatures_is_reported_at_the_value(string line, string messagePart)
        => AssertError(Section("dkim", "    " + line + "\n"), 8, ValueColumn(line, 5), messagePart);

    [Fact]
    public void Allow_unsigned_content_is_read_and_checked_as_a_bool()
    {
        Assert.True(Valid(Section("dkim", "    allow_unsigned_content: true\n")).Authentication.Dkim.AllowUnsignedContent);
        AssertError(Section("dkim", "    allow_unsigned_content: sometimes\n"), 8, 29, "authentication.dkim.allow_unsigned_content: expected true or false, found 'sometimes'");
    }

    [Fact]
    public void Empty_sign_list_signs_nothing()
        => Assert.Empty(Valid(Section("dkim", "    sign: []\n")).Authentication.Dkim.Sign);

    [Fact]
    public void Sign_domain_that_is_not_ours_is_an_error_with_a_hint()
        => AssertError(
            SignItem("domain: exampel.test", "selector: s1", "key: keys/example.pem"),
            9,
            17,
            "authentication.dkim.sign[0].domain: 'exampel.test' is not one of our domains (domains: example.test, other.test); we sign only for our own domains; did you mean 'example.test'?");

    [Fact]
    public void Sign_domain_that_is_a_subdomain_of_ours_is_an_error()
        => AssertError(SignItem("domain: mail.example.test", "selector: s1", "key: keys/example.pem"), 9, 17, "'mail.example.test' is not one of our domains");

    [Fact]
    public void Sign_domain_without_any_domains_says_domains_is_empty()
        => AssertError(
            PolicyFiles.Minimal + "authentication:\n  dkim:\n    sign:\n      - domain: example.test\n        selector: s1\n        key: keys/example.pem\n",
            8,
            17,
            "'example.test' is not one of our domains (domains is empty); we sign only for our own domains");

    [Fact]
    public void Sign_domain_membership_is_not_checked_when_domains_had_errors()
        => Assert.Equal(
            ["5:11: domains[0]: 'example.test.': write domain names without a trailing dot"],
            Errors(PolicyFiles.Minimal + "domains: [example.test.]\nauthentication:\n  dkim:\n    sign:\n      - domain: example.test\n        selector: s1\n        key: keys/example.pem\n"));

    [Fact]
    public void Idn_sign_domain_matches_its_a_label()
    {
        var p = Valid(PolicyFiles.Minimal + "domains: [xn--bcher-kva.example]\nauthentication:\n  dkim:\n    sign:\n      - domain: Bücher.example\n        selector: s1\n        key: keys/example.pem\n");

        Assert.Equal("xn--bcher-kva.example", Assert.Single(p.Authentication.Dkim.Sign).Domain);
    }

    [Theory]
    [InlineData("domain: bad_domain.test", "authentication.dkim.sign[0].domain: 'bad_domain.test' is not a valid domain name")]
    [InlineData("domain: example.test.", "without a trailing dot")]
    [InlineData("domain: [example.test]", "authentication.dkim.sign[0].domain: expected a string, found a sequence")]
    [InlineData("domain: \"\"", "domain name is empty")]
    public void Bad_sign_domain_is_reported_at_the_value(string line, string messagePart)
        => AssertError(SignItem(line, "selector: s1", "key: keys/example.pem"), 9, ValueColumn(line, 9), messagePart);

    [Theory]
    [InlineData("selector: s2026", "s2026")]
    [InlineData("selector: S2026", "s2026")]
    [InlineData("selector: 2026-01", "2026-01")]
    [InlineData("selector: a.b.c", "a.b.c")]
    [InlineData("selector: \"20260101\"", "20260101")]
    [InlineData("selector: x", "x")]
    public void Selectors_are_lower_case_dns_labels(string line, string expected)
        => Assert.Equal(expected, Assert.Single(Valid(SignItem("domain: example.test", line, "key: keys/example.pem")).Authentication.Dkim.Sign).Selector);

    [Fact]
    public void Selector_label_may_be_63_characters()
    {
        var label = new string('a', 63);

        Assert.Equal(label, Assert.Single(Valid(SignItem("domain: example.test", "selector: " + label, "key: keys/example.pem")).Authentication.Dkim.Sign).Selector);
    }

    [Theory]
    [InlineData("selector: s_1", "authentication.dkim.sign[0].selector: 's_1' is not a valid selector (label 's_1'): labels of a-z, 0-9 and '-', 1-63 characters, separated by dots")]
    [InlineData("selector: -s1", "(label '-s1')")]
    [InlineData("selector: s1-", "(label 's1-')")]
    [InlineData("selector: a..b", "(label '')")]
    [InlineData("selector: .s1", "is not a valid selector")]
    [InlineData("selector: s1.", "is not a valid selector")]
    [InlineData("selector: \"s 1\"", "is not a valid selector")]
    [InlineData("selector: \"s1._domainkey\"", "(label '_domainkey')")]
    [InlineData("selector: sélecteur", "is not a valid selector")]
    [InlineData("selector: \"\"", "authentication.dkim.sign[0].selector: selector is empty")]
    [InlineData("selector: [s1]", "authentication.dkim.sign[0].selector: expected a string, found a sequence")]
    [InlineData("selector: \"s1\\tx\"", "authentication.dkim.sign[0].selector: control characters are not allowed")]
    public void Bad_selector_is_reported_at_the_value(string line, string messagePart)
        => AssertError(SignItem("domain: example.test", line, "key: keys/example.pem"), 10, ValueColumn(line, 9), messagePart);

    [Fact]
    public void Selector_label_of_64_characters_is_an_error()
        => AssertError(SignItem("domain: example.test", "selector: " + new string('a', 64), "key: keys/example.pem"), 10, 19, "is not a valid selector");

    [Fact]
    public void Key_record_name_longer_than_a_dns_name_is_an_error_at_the_selector()
    {
        // 63 + 1 + 63 + 1 + 63 = 191 characters of selector, + "._domainkey." (12) + "example.test" (12) = 215: fits.
        var fits = string.Join('.', Enumerable.Repeat(new string('a', 63), 3));
        Assert.Single(Valid(SignItem("domain: example.test", "selector: " + fits, "key: keys/example.pem")).Authentication.Dkim.Sign);

        // 230 + 12 + 12 = 254 > 253.
        var tooLong = fits + "." + new string('b', 38);
        AssertError(
            SignItem("domain: example.test", "selector: " + tooLong, "key: keys/example.pem"),
            10,
            19,
            "authentication.dkim.sign[0].selector: the key record name ");
        Assert.Contains("would be 254 characters, more than 253", Assert.Single(Errors(SignItem("domain: example.test", "selector: " + tooLong, "key: keys/example.pem"))), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_missing_required_key_is_reported_at_the_item()
        => Assert.Equal(
            [
                "9:9: authentication.dkim.sign[0].domain is required",
                "9:9: authentication.dkim.sign[0].selector is required",
                "9:9: authentication.dkim.sign[0].key is required (a PEM private key file)",
            ],
            Errors(SignItem("algorithm: rsa-sha256")));

    [Theory]
    [InlineData("selector: s1", "authentication.dkim.sign[0].key is required")]
    [InlineData("key: keys/example.pem", "authentication.dkim.sign[0].selector is required")]
    public void One_missing_key_is_reported_at_the_item(string other, string message)
        => AssertError(SignItem("domain: example.test", other), 9, 9, message);

    [Fact]
    public void Domain_is_required_too()
        => AssertError(SignItem("selector: s1", "key: keys/example.pem"), 9, 9, "authentication.dkim.sign[0].domain is required");

    [Fact]
    public void Null_required_value_counts_as_missing()
        => AssertError(SignItem("domain: example.test", "selector: s1", "key: ~"), 9, 9, "authentication.dkim.sign[0].key is required");

    [Fact]
    public void Missing_key_file_is_an_error_at_the_key_with_its_absolute_path()
        => AssertError(
            SignItem("domain: example.test", "selector: s1", "key: keys/missing.pem"),
            11,
            14,
            $"authentication.dkim.sign[0].key: file '{_files.PathOf("keys/missing.pem")}' does not exist");

    [Fact]
    public void Key_naming_a_directory_is_an_error()
        => AssertError(SignItem("domain: example.test", "selector: s1", "key: keys"), 11, 14, $"file '{_files.PathOf("keys")}' does not exist");

    [Fact]
    public void Empty_key_path_is_an_error()
        => AssertError(SignItem("domain: example.test", "selector: s1", "key: \"\""), 11, 14, "authentication.dkim.sign[0].key: path is empty");

    [Fact]
    public void Absolute_key_path_is_used_as_is()
    {
        var elsewhere = _files.Write("elsewhere/k.pem", "pem");

        Assert.Equal(elsewhere, Assert.Single(Valid(SignItem("domain: example.test", "selector: s1", $"key: \"{elsewhere}\"")).Authentication.Dkim.Sign).KeyFile);
    }

    [Fact]
    public void Key_files_are_not_policy_sources()
        => Assert.Equal(
            [_files.PathOf("gateway.yaml")],
            Valid(SignItem("domain: example.test", "selector: s1", "key: keys/example.pem")).SourceFiles);

    [Theory]
    [InlineData("algorithm: rsa-sha256", DkimAlgorithm.RsaSha256)]
    [InlineData("algorithm: ed25519-sha256", DkimAlgorithm.Ed25519Sha256)]
    [InlineData("algorithm: null", null)]
    public void Algorithm_is_optional(string line, DkimAlgorithm? expected)
        => Assert.Equal(
            expected,
            Assert.Single(Valid(SignItem("domain: example.test", "selector: s1", "key: keys/example.pem", line)).Authentication.Dkim.Sign).Algorithm);

    [Theory]
    [InlineData("algorithm: rsa-sha1", "authentication.dkim.sign[0].algorithm: 'rsa-sha1' is not one of rsa-sha256, ed25519-sha256")]
    [InlineData("algorithm: rsa-sha265", "'rsa-sha265' is not one of rsa-sha256, ed25519-sha256; did you mean 'rsa-sha256'?")]
    [InlineData("algorithm: RSA-SHA256", "'RSA-SHA256' is not one of rsa-sha256, ed25519-sha256")]
    [InlineData("algorithm: ed25519", "'ed25519' is not one of")]
    [InlineData("algorithm: [rsa-sha256]", "authentication.dkim.sign[0].algorithm: expected one of rsa-sha256, ed25519-sha256, found a sequence")]
    public void Bad_algorithm_is_reported_at_the_value(string line, string messagePart)
        => AssertError(SignItem("domain: example.test", "selector: s1", "key: keys/example.pem", line), 12, ValueColumn(line, 9), messagePart);

    [Fact]
    public void Same_domain_and_selector_twice_is_an_error_at_the_second()
        => AssertError(
            Section("dkim", """
                    sign:
                      - domain: example.test
                        selector: s1
                        key: keys/example.pem
                      - domain: EXAMPLE.test
                        selector: S1
                        key: keys/arc.pem
                        algorithm: ed25519-sha256
                """),
            12,
            9,
            "authentication.dkim.sign[1]: domain example.test with selector s1 is already listed (first at line 9, column 9); each key needs its own selector");

    [Fact]
    public void Dual_signing_keys_and_shared_selectors_across_domains_keep_file_order()
    {
        var sign = Valid(Section("dkim", """
                sign:
                  - domain: other.test
                    selector: s1
                    key: keys/example.pem
                  - domain: example.test
                    selector: s1
                    key: keys/example.pem
                  - domain: example.test
                    selector: s2
                    key: keys/arc.pem
            """)).Authentication.Dkim.Sign;

        Assert.Equal([("other.test", "s1"), ("example.test", "s1"), ("example.test", "s2")], sign.Select(k => (k.Domain, k.Selector)));
    }

    [Fact]
    public void Errors_in_several_sign_items_are_all_reported()
        => Assert.Equal(
            [
                "9:17: authentication.dkim.sign[0].domain: 'nope.test' is not one of our domains (domains: example.test, other.test); we sign only for our own domains",
                "11:14: authentication.dkim.sign[0].key: file '" + _files.PathOf("keys/none.pem") + "' does not exist",
                "13:19: authentication.dkim.sign[1].selector: 'bad_sel' is not a valid selector (label 'bad_sel'): labels of a-z, 0-9 and '-', 1-63 characters, separated by dots",
                "15:20: authentication.dkim.sign[1].algorithm: 'rsa-sha1' is not one of rsa-sha256, ed25519-sha256",
                "16:9: authentication.dkim.sign[2].selector is required",
            ],
            Errors(Section("dkim", """
                    sign:
                      - domain: nope.test
                        selector: s1
                        key: keys/none.pem
                      - domain: example.test
                        selector: bad_sel
                        key: keys/example.pem
                        algorithm: rsa-sha1
                      - domain: other.test
                        key: keys/example.pem
                """)));

    // ---- arc ----

    [Fact]
    public void Trusted_sealers_are_canonical_and_unique()
        => AssertError(
            Section("arc", "    trusted_sealers:\n      - google.com\n      - Google.COM\n"),
            10,
            9,
            "authentication.arc.trusted_sealers[1]: domain 'google.com' is listed twice (first at line 9, column 9)");

    [Fact]
    public void Trusted_sealers_need_not_be_ours()
        => Assert.Equal(["outlook.com"], Valid(Section("arc", "    trusted_sealers: [outlook.com]\n")).Authentication.Arc.TrustedSealers);

    [Theory]
    [InlineData("bad_sealer.test", "authentication.arc.trusted_sealers[0]: 'bad_sealer.test' is not a valid domain name")]
    [InlineData("google.com.", "without a trailing dot")]
    [InlineData("192.0.2.1", "numeric top-level label")]
    [InlineData("", "domain name is empty")]
    public void Bad_trusted_sealer_is_reported_at_the_item(string text, string messagePart)
        => AssertError(Section("arc", $"    trusted_sealers:\n      - \"{text}\"\n"), 9, 9, messagePart);

    [Fact]
    public void Seal_reads_its_key_relative_to_the_policy_file()
    {
        var seal = Valid(Section("arc", "    seal:\n      domain: Example.test\n      selector: ARC\n      key: ./keys/../keys/arc.pem\n")).Authentication.Arc.Seal;

        Assert.Equal(new ArcSealPolicy("example.test", "arc", _files.PathOf("keys/arc.pem"), new PolicyPosition(_files.PathOf("gateway.yaml"), 11, 12)), seal);
    }

    [Fact]
    public void Seal_needs_selector_and_key()
        => Assert.Equal(
            [
                "9:7: authentication.arc.seal.selector is required",
                "9:7: authentication.arc.seal.key is required (a PEM private key file)",
            ],
            Errors(Section("arc", "    seal:\n      domain: example.test\n")));

    [Fact]
    public void Empty_seal_mapping_reports_the_missing_keys_at_the_mapping()
        => Assert.Equal(
            [
                "8:11: authentication.arc.seal.domain is required",
                "8:11: authentication.arc.seal.selector is required",
                "8:11: authentication.arc.seal.key is required (a PEM private key file)",
            ],
            Errors(Section("arc", "    seal: {}\n")));

    [Fact]
    public void Seal_has_no_algorithm_key()
        => Assert.Contains(
            "10:7: unknown key 'algorithm' in authentication.arc.seal",
            Errors(Section("arc", "    seal:\n      domain: example.test\n      algorithm: rsa-sha256\n      selector: arc\n      key: keys/arc.pem\n")));

    [Fact]
    public void Seal_domain_must_be_ours()
        => AssertError(
            Section("arc", "    seal:\n      domain: other.tset\n      selector: arc\n      key: keys/arc.pem\n"),
            9,
            15,
            "authentication.arc.seal.domain: 'other.tset' is not one of our domains (domains: example.test, other.test); we sign only for our own domains; did you mean 'other.test'?");

    [Fact]
    public void Seal_key_must_exist()
        => AssertError(
            Section("arc", "    seal:\n      domain: example.test\n      selector: arc\n      key: keys/nope.pem\n"),
            11,
            12,
            $"authentication.arc.seal.key: file '{_files.PathOf("keys/nope.pem")}' does not exist");

    [Fact]
    public void Seal_selector_is_validated()
        => AssertError(
            Section("arc", "    seal:\n      domain: example.test\n      selector: arc_1\n      key: keys/arc.pem\n"),
            10,
            17,
            "authentication.arc.seal.selector: 'arc_1' is not a valid selector");

    [Fact]
    public void Seal_without_arc_verification_is_an_error_at_the_seal()
        => AssertError(
            Section("arc", "    verify: false\n    seal:\n      domain: example.test\n      selector: arc\n      key: keys/arc.pem\n"),
            10,
            7,
            "authentication.arc.seal: needs authentication.arc.verify: true");

    [Fact]
    public void Null_seal_means_no_sealing_even_without_verification()
        => Assert.Null(Valid(Section("arc", "    verify: false\n    seal: null\n")).Authentication.Arc.Seal);

    // ---- dmarc ----

    [Theory]
    [InlineData("quarantine: hold", DmarcQuarantineAction.Hold)]
    [InlineData("quarantine: deliver", DmarcQuarantineAction.Deliver)]
    public void Quarantine_actions_parse(string line, DmarcQuarantineAction expected)
        => Assert.Equal(expected, Valid(Section("dmarc", "    " + line + "\n")).Authentication.Dmarc.Quarantine);

    [Theory]
    [InlineData("temperror: tempfail", DmarcTempErrorAction.TempFail)]
    [InlineData("temperror: accept", DmarcTempErrorAction.Accept)]
    public void Temperror_actions_parse(string line, DmarcTempErrorAction expected)
        => Assert.Equal(expected, Valid(Section("dmarc", "    " + line + "\n")).Authentication.Dmarc.TempError);

    [Theory]
    [InlineData("quarantine: reject", 0, "authentication.dmarc.quarantine: 'reject' is not one of hold, deliver")]
    [InlineData("quarantine: delivr", 0, "'delivr' is not one of hold, deliver; did you mean 'deliver'?")]
    [InlineData("quarantine: Hold", 0, "'Hold' is not one of hold, deliver; did you mean 'hold'?")]
    [InlineData("quarantine: [hold]", 0, "authentication.dmarc.quarantine: expected one of hold, deliver, found a sequence")]
    [InlineData("temperror: tmpfail", 0, "authentication.dmarc.temperror: 'tmpfail' is not one of tempfail, accept; did you mean 'tempfail'?")]
    [InlineData("temperror: reject", 0, "'reject' is not one of tempfail, accept")]
    [InlineData("temperror: true", 0, "'true' is not one of tempfail, accept")]
    [InlineData("trusted_forwarders: [10.0.0.0/33]", 1, "authentication.dmarc.trusted_forwarders[0]: '10.0.0.0/33' has an invalid prefix length (0-32)")]
    [InlineData("trusted_forwarders: [10.1.2.3/16]", 1, "has host bits set; did you mean '10.1.0.0/16'?")]
    [InlineData("trusted_forwarders: [forwarder.example]", 1, "authentication.dmarc.trusted_forwarders[0]: 'forwarder.example' is not a valid IP address")]
    [InlineData("exceptions: [bad_domain.test]", 1, "authentication.dmarc.exceptions[0]: 'bad_domain.test' is not a valid domain name")]
    [InlineData("exceptions: [partner.test.]", 1, "without a trailing dot")]
    [InlineData("public_suffix_list: [psl.dat]", 0, "authentication.dmarc.public_suffix_list: expected a string, found a sequence")]
    [InlineData("public_suffix_list: \"\"", 0, "authentication.dmarc.public_suffix_list: path is empty")]
    public void Bad_dmarc_values_are_reported_at_the_value(string line, int offset, string messagePart)
        => AssertError(Section("dmarc", "    " + line + "\n"), 8, ValueColumn(line, 5) + offset, messagePart);

    [Fact]
    public void Trusted_forwarders_read_like_trusted_networks()
        => Assert.Equal(
            [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("2001:db8::1/128")],
            Valid(Section("dmarc", "    trusted_forwarders:\n      - 10.0.0.0/8\n      - \"2001:db8::1\"\n")).Authentication.Dmarc.TrustedForwarders);

    [Fact]
    public void Exceptions_are_canonical_and_unique()
    {
        Assert.Equal(
            ["partner.test", "xn--bcher-kva.example"],
            Valid(Section("dmarc", "    exceptions: [Partner.Test, bücher.example]\n")).Authentication.Dmarc.Exceptions);
        AssertError(
            Section("dmarc", "    exceptions:\n      - partner.test\n      - PARTNER.test\n"),
            10,
            9,
            "authentication.dmarc.exceptions[1]: domain 'partner.test' is listed twice (first at line 9, column 9)");
    }

    [Fact]
    public void Public_suffix_list_must_exist_and_is_absolute()
    {
        AssertError(
            Section("dmarc", "    public_suffix_list: data/psl.dat\n"),
            8,
            25,
            $"authentication.dmarc.public_suffix_list: file '{_files.PathOf("data/psl.dat")}' does not exist");

        _files.Write("data/psl.dat", "test\n");
        Assert.Equal(_files.PathOf("data/psl.dat"), Valid(Section("dmarc", "    public_suffix_list: data/psl.dat\n")).Authentication.Dmarc.PublicSuffixList);
    }

    // ---- dmarc.reports ----

    private static string Reports(string body) => Section("dmarc", "    reports:\n" + body);

    [Fact]
    public void Reports_enabled_without_org_name_and_from_is_two_errors_at_enabled()
        => Assert.Equal(
            [
                "9:16: authentication.dmarc.reports.org_name is required when reports are enabled (report_metadata/org_name, RFC 7489 appendix C)",
                "9:16: authentication.dmarc.reports.from is required when reports are enabled (an address in one of our domains)",
            ],
            Errors(Reports("      enabled: true\n")));

    [Fact]
    public void Reports_enabled_without_from_is_an_error()
        => AssertError(Reports("      enabled: true\n      org_name: Example\n"), 9, 16, "authentication.dmarc.reports.from is required when reports are enabled");

    [Fact]
    public void Reports_enabled_without_org_name_is_an_error()
        => AssertError(Reports("      enabled: true\n      from: dmarc@example.test\n"), 9, 16, "authentication.dmarc.reports.org_name is required when reports are enabled");

    [Fact]
    public void Reports_enabled_with_null_org_name_is_an_error()
        => AssertError(Reports("      enabled: true\n      org_name: ~\n      from: dmarc@example.test\n"), 9, 16, "org_name is required");

    [Fact]
    public void Disabled_reports_keep_their_settings_and_need_nothing()
    {
        var r = Valid(Reports("      enabled: false\n      interval: 1h\n      from: dmarc@other.test\n")).Authentication.Dmarc.Reports;

        Assert.Equal(new DmarcReportsPolicy { Enabled = false, Interval = TimeSpan.FromHours(1), From = new Mailbox("dmarc", "other.test") }, r);
    }

    [Fact]
    public void Reports_without_dmarc_verification_is_an_error_at_enabled()
        => AssertError(
            Section("dmarc", "    verify: false\n    reports:\n      enabled: true\n      org_name: Example\n      from: dmarc@example.test\n"),
            10,
            16,
            "authentication.dmarc.reports.enabled: needs authentication.dmarc.verify: true");

    [Theory]
    [InlineData("interval: 1h", 1 * 60)]
    [InlineData("interval: 7d", 7 * 24 * 60)]
    [InlineData("interval: 90m", 90)]
    public void Report_interval_range_is_inclusive(string line, int minutes)
        => Assert.Equal(TimeSpan.FromMinutes(minutes), Valid(Reports("      " + line + "\n")).Authentication.Dmarc.Reports.Interval);

    [Theory]
    [InlineData("max_records_per_day: 1000", 1000)]
    [InlineData("max_records_per_day: 10000000", 10_000_000)]
    public void Max_records_range_is_inclusive(string line, int expected)
        => Assert.Equal(expected, Valid(Reports("      " + line + "\n")).Authentication.Dmarc.Reports.MaxRecordsPerDay);

    [Theory]
    [InlineData("interval: 59m", "authentication.dmarc.reports.interval: 59m is out of range 1h..7d")]
    [InlineData("interval: 8d", "out of range 1h..7d")]
    [InlineData("interval: 24", "has no unit")]
    [InlineData("max_records_per_day: 999", "authentication.dmarc.reports.max_records_per_day: 999 is out of range 1000..10000000")]
    [InlineData("max_records_per_day: 10000001", "out of range 1000..10000000")]
    [InlineData("max_records_per_day: 1e6", "expected an integer, found '1e6'")]
    [InlineData("org_name: \"\"", "authentication.dmarc.reports.org_name: must be 1-200 characters and not blank")]
    [InlineData("org_name: \"   \"", "must be 1-200 characters and not blank")]
    [InlineData("org_name: \"a\\nb\"", "authentication.dmarc.reports.org_name: control characters are not allowed")]
    [InlineData("org_name: [x]", "authentication.dmarc.reports.org_name: expected a string, found a sequence")]
    [InlineData("from: dmarc@nope.test", "authentication.dmarc.reports.from: 'dmarc@nope.test' is not one of our domains (domains: example.test, other.test); reports are sent from our own domains")]
    [InlineData("from: dmarc@exmaple.test", "did you mean 'example.test'?")]
    [InlineData("from: dmarc@mail.example.test", "'dmarc@mail.example.test' is not one of our domains")]
    [InlineData("from: \"DMARC <dmarc@example.test>\"", "write the bare address (local@domain) without a display name or angle brackets")]
    [InlineData("from: \"<dmarc@example.test>\"", "without a display name or angle brackets")]
    [InlineData("from: example.test", "authentication.dmarc.reports.from: 'example.test' is not an address (local@domain)")]
    [InlineData("from: \"@example.test\"", "is not an address")]
    [InlineData("from: dmarc@", "is not an address")]
    [InlineData("from: a..b@example.test", "the local part must be a dot-atom")]
    [InlineData("from: .a@example.test", "the local part must be a dot-atom")]
    [InlineData("from: \"a b@example.test\"", "the local part must be a dot-atom")]
    [InlineData("from: \"\\\"a\\\"@example.test\"", "the local part must be a dot-atom")]
    [InlineData("from: a@b@example.test", "the local part must be a dot-atom")]
    [InlineData("from: ü@example.test", "the local part must be a dot-atom")]
    [InlineData("from: \"a@[192.0.2.1]\"", "is not a valid domain name")]
    [InlineData("from: a@example.test.", "without a trailing dot")]
    public void Bad_report_values_are_reported_at_the_value(string line, string messagePart)
        => AssertError(Reports("      " + line + "\n"), 9, ValueColumn(line, 7), messagePart);

    [Fact]
    public void Report_local_part_may_be_64_characters_not_65()
    {
        var local = new string('r', 64);
        Assert.Equal(new Mailbox(local, "example.test"), Valid(Reports($"      from: {local}@example.test\n")).Authentication.Dmarc.Reports.From);

        AssertError(Reports($"      from: {local}r@example.test\n"), 9, 13, "the local part is longer than 64 characters");
    }

    [Fact]
    public void Report_sender_keeps_its_local_part_and_canonicalises_the_domain()
        => Assert.Equal(
            new Mailbox("DMARC+reports.no-reply", "xn--bcher-kva.example"),
            Valid(PolicyFiles.Minimal + "domains: [bücher.example]\nauthentication:\n  dmarc:\n    reports:\n      from: DMARC+reports.no-reply@Bücher.EXAMPLE\n")
                .Authentication.Dmarc.Reports.From);

    [Fact]
    public void Org_name_of_200_characters_is_fine_and_201_is_not()
    {
        Assert.Equal(200, Valid(Reports($"      org_name: {new string('o', 200)}\n")).Authentication.Dmarc.Reports.OrgName!.Length);
        AssertError(Reports($"      org_name: {new string('o', 201)}\n"), 9, 17, "must be 1-200 characters");
    }

    // ---- includes ----

    [Fact]
    public void Section_in_an_included_file_resolves_keys_against_its_own_directory()
    {
        _files.Write("conf.d/keys/inc.pem", "pem");
        _files.Write("conf.d/auth.yaml", "authentication:\n  dkim:\n    sign:\n      - domain: example.test\n        selector: s1\n        key: keys/inc.pem\n");
        var p = Valid("include: [conf.d/auth.yaml]\n" + Base);

        var key = Assert.Single(p.Authentication.Dkim.Sign);
        Assert.Equal(_files.PathOf("conf.d/keys/inc.pem"), key.KeyFile);
        Assert.Equal(new PolicyPosition(_files.PathOf("conf.d/auth.yaml"), 6, 14), key.Source);
        Assert.Equal([_files.PathOf("gateway.yaml"), _files.PathOf("conf.d/auth.yaml")], p.SourceFiles);
        Assert.Equal("mx.example.test", p.Authentication.AuthservId);
    }

    [Fact]
    public void Errors_in_an_included_file_name_that_file_and_check_the_main_files_domains()
    {
        _files.Write("conf.d/auth.yaml", "authentication:\n  dkim:\n    sign:\n      - domain: nope.test\n        selector: s1\n        key: ../keys/example.pem\n      - domain: example.test\n        selector: s1\n        key: keys/example.pem\n");
        var result = _files.Load("include: [conf.d/auth.yaml]\n" + Base);

        Assert.Equal(
            [
                $"{_files.PathOf("conf.d/auth.yaml")}:4:17: authentication.dkim.sign[0].domain: 'nope.test' is not one of our domains (domains: example.test, other.test); we sign only for our own domains",
                $"{_files.PathOf("conf.d/auth.yaml")}:9:14: authentication.dkim.sign[1].key: file '{_files.PathOf("conf.d/keys/example.pem")}' does not exist",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Authentication_defined_in_two_files_is_an_error()
    {
        _files.Write("auth.yaml", "authentication:\n  spf: {}\n");
        var error = Assert.Single(_files.Load(Auth("  dkim: {}\n") + "include: [auth.yaml]\n").Errors);

        Assert.Equal($"{_files.PathOf("auth.yaml")}:1:1: 'authentication' is already defined at {_files.PathOf("gateway.yaml")}:6:1", error.ToString());
    }

    // ---- all at once and robustness ----

    [Fact]
    public void All_errors_of_the_section_are_collected_in_one_pass()
        => Assert.Equal(
            [
                "7:16: authentication.authserv_id: 'mx' is not a fully qualified domain name",
                "10:18: authentication.spf.reject_fail: needs authentication.spf.verify: true",
                "12:21: authentication.dkim.max_signatures: 0 is out of range 1..50",
                "14:17: authentication.dkim.sign[0].domain: 'exmaple.test' is not one of our domains (domains: example.test, other.test); we sign only for our own domains; did you mean 'example.test'?",
                "18:5: unknown key 'trusted_sealer' in authentication.arc; did you mean 'trusted_sealers'?",
                "19:11: authentication.arc.seal.selector is required",
                "22:17: authentication.dmarc.quarantine: 'drop' is not one of hold, deliver",
                "23:26: authentication.dmarc.trusted_forwarders[0]: 'example.test' is not a valid IP address (IPv4 needs four decimal octets, e.g. 192.0.2.1)",
                "25:16: authentication.dmarc.reports.org_name is required when reports are enabled (report_metadata/org_name, RFC 7489 appendix C)",
                "26:17: authentication.dmarc.reports.interval: 30m is out of range 1h..7d",
                "27:13: authentication.dmarc.reports.from: 'postmaster@elsewhere.test' is not one of our domains (domains: example.test, other.test); reports are sent from our own domains",
            ],
            Errors(Auth("""
                  authserv_id: mx
                  spf:
                    verify: false
                    reject_fail: true
                  dkim:
                    max_signatures: 0
                    sign:
                      - domain: exmaple.test
                        selector: s1
                        key: keys/example.pem
                  arc:
                    trusted_sealer: [google.com]
                    seal: {domain: example.test, key: keys/arc.pem}
                  dmarc:
                    enforce: true
                    quarantine: drop
                    trusted_forwarders: [example.test]
                    reports:
                      enabled: true
                      interval: 30m
                      from: postmaster@elsewhere.test
                """)));

    [Fact]
    public void Every_prefix_of_an_authentication_section_loads_or_reports_positioned_errors()
    {
        var text = Auth("""
              authserv_id: auth.example.test
              spf: {verify: true, reject_fail: false}
              dkim:
                max_signatures: 5
                sign:
                  - {domain: example.test, selector: s1, key: keys/example.pem, algorithm: ed25519-sha256}
              arc:
                trusted_sealers: [google.com]
                seal:
                  domain: other.test
                  selector: arc
                  key: keys/arc.pem
              dmarc:
                quarantine: deliver
                trusted_forwarders: ["10.0.0.0/8"]
                reports:
                  enabled: true
                  org_name: 'Example'
                  from: dmarc@example.test
            """);
        var lines = text.Split('\n').Length;
        for (var length = 0; length <= text.Length; length++)
        {
            var result = _files.Load(text[..length]);

            Assert.True(result.Success || result.Errors.Count > 0, $"prefix {length}: neither policy nor errors");
            Assert.All(result.Errors, e =>
            {
                Assert.InRange(e.Line, 1, lines + 1);
                Assert.InRange(e.Column, 1, 200);
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            });
        }

        Assert.True(_files.Load(text).Success);
    }
}
