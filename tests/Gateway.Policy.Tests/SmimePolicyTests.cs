namespace Gateway.Policy.Tests;

public sealed class SmimePolicyTests : IDisposable
{
    /// <summary>Minimal policy plus our domain (line 5); "smime:" is line 6, its body from line 7.</summary>
    private const string Base = PolicyFiles.Minimal + "domains: [example.test]\nsmime:\n";

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    private GatewayPolicy Valid(string text) => _files.Valid(text);

    private void AssertError(string text, int line, int column, string messagePart) => _files.AssertError(text, line, column, messagePart);

    [Fact]
    public void Without_the_section_nothing_runs()
    {
        var policy = Valid(PolicyFiles.Minimal);

        Assert.False(policy.Smime.Enabled);
        Assert.Empty(policy.Smime.Sign.Senders);
    }

    [Fact]
    public void An_empty_section_decrypts_and_verifies_but_signs_and_encrypts_nothing()
    {
        var policy = Valid(Base + "  decrypt: true\n");

        Assert.True(policy.Smime.Enabled);
        Assert.True(policy.Smime.Decrypt);
        Assert.True(policy.Smime.Verify.Enabled);
        Assert.True(policy.Smime.Verify.Harvest);
        Assert.Empty(policy.Smime.Sign.Senders);
        Assert.Equal(SmimeEncryptMode.Never, policy.Smime.Encrypt.ModeFor("partner.test"));
        Assert.Null(policy.Smime.Vault.UnsealKeyFile);
    }

    [Fact]
    public void Every_setting_is_read()
    {
        var key = _files.Write("vault.key", "x");
        var pin = _files.Write("pin", "1234");
        var anchors = _files.Write("anchors.pem", "");
        var module = _files.Write("module.so", "");
        var policy = Valid(Base +
            $"  vault:\n    unseal_key_file: {key}\n    pkcs11: {{module: {module}, token: gw, pin_file: {pin}}}\n" +
            "  sign:\n    senders: [\"@example.test\", ceo@other.test]\n    form: opaque\n    missing_key: defer\n" +
            "  encrypt:\n    default: when_known\n    domains:\n      Partner.TEST: required\n      .bank.test: never\n" +
            $"  decrypt: false\n  verify: {{trust_anchors: {anchors}, harvest: false}}\n");

        var smime = policy.Smime;
        Assert.Equal(key, smime.Vault.UnsealKeyFile);
        Assert.Equal(module, smime.Vault.Pkcs11!.Module);
        Assert.Equal("gw", smime.Vault.Pkcs11.Token);
        Assert.Equal(SmimePkcs11Policy.DefaultKeyLabel, smime.Vault.Pkcs11.Key);
        Assert.Equal(pin, smime.Vault.Pkcs11.PinFile);
        Assert.Equal(["@example.test", "ceo@other.test"], smime.Sign.Senders.Select(s => s.ToString()));
        Assert.True(smime.Sign.Opaque);
        Assert.Equal(SmimeMissingKeyAction.Defer, smime.Sign.MissingKey);
        Assert.Equal(SmimeEncryptMode.Required, smime.Encrypt.ModeFor("partner.test"));
        Assert.Equal(SmimeEncryptMode.Never, smime.Encrypt.ModeFor("mx.branch.bank.test"));
        Assert.Equal(SmimeEncryptMode.WhenKnown, smime.Encrypt.ModeFor("bank.test"));
        Assert.Equal(SmimeEncryptMode.WhenKnown, smime.Encrypt.ModeFor("elsewhere.test"));
        Assert.False(smime.Decrypt);
        Assert.Equal(anchors, smime.Verify.TrustAnchors);
        Assert.False(smime.Verify.Harvest);
    }

    [Fact]
    public void An_ldap_directory_is_read_with_its_defaults()
    {
        var password = _files.Write("ldap.secret", "s3cret\n");
        var policy = Valid(Base +
            "  directory:\n    ldap:\n      servers: [\"ldap://127.0.0.1:3890\", \"ldaps://ldap.example.test\"]\n      base_dn: \"ou=people,dc=example,dc=test\"\n" +
            $"      bind_dn: \"cn=gateway,dc=example,dc=test\"\n      bind_password_file: {password}\n      cache_found: 30m\n");

        var ldap = policy.Smime.Directory.Ldap!;
        Assert.Equal(["ldap://127.0.0.1:3890/", "ldaps://ldap.example.test/"], ldap.Servers.Select(s => s.ToString()));
        Assert.Equal("ou=people,dc=example,dc=test", ldap.BaseDn);
        Assert.Equal("cn=gateway,dc=example,dc=test", ldap.BindDn);
        Assert.Equal(password, ldap.BindPasswordFile);
        Assert.Equal("(mail={0})", ldap.Filter);
        Assert.Equal(TimeSpan.FromSeconds(5), ldap.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(30), ldap.CacheFound);
        Assert.Equal(TimeSpan.FromMinutes(10), ldap.CacheNotFound);
        Assert.Null(Valid(Base + "  decrypt: true\n").Smime.Directory.Ldap);
    }

    [Fact]
    public void An_ldap_server_that_is_not_an_ldap_uri_is_named_at_its_position() =>
        AssertError(Base + "  directory:\n    ldap:\n      servers: [\"http://ldap.example.test\"]\n      base_dn: dc=example,dc=test\n", 9, 17, "not an ldap://host[:port]");

    [Fact]
    public void An_ldap_filter_without_the_address_placeholder_is_refused() =>
        AssertError(Base + "  directory:\n    ldap:\n      servers: [\"ldap://127.0.0.1\"]\n      base_dn: dc=example,dc=test\n      filter: \"(mail=*)\"\n", 11, 15, "{0} for the address");

    [Fact]
    public void An_ldap_bind_dn_without_a_password_file_is_refused() =>
        AssertError(Base + "  directory:\n    ldap:\n      servers: [\"ldap://127.0.0.1\"]\n      base_dn: dc=example,dc=test\n      bind_dn: cn=gw\n", 11, 16, "go together");

    [Fact]
    public void An_ldap_directory_needs_servers_and_a_base_dn() =>
        AssertError(Base + "  directory:\n    ldap:\n      servers: [\"ldap://127.0.0.1\"]\n", 9, 7, "smime.directory.ldap.base_dn is required");

    [Fact]
    public void An_unknown_encryption_mode_is_named_at_its_position() =>
        AssertError(Base + "  encrypt:\n    domains:\n      partner.test: always\n", 9, 21, "smime.encrypt.domains.partner.test");

    [Fact]
    public void A_missing_unseal_key_file_is_an_error_at_its_position() =>
        AssertError(Base + "  vault:\n    unseal_key_file: /nonexistent/vault.key\n", 8, 22, "does not exist");

    [Fact]
    public void A_token_without_a_pin_file_is_refused() =>
        AssertError(Base + $"  vault:\n    pkcs11: {{module: {_files.Write("m.so", "")}, token: gw}}\n", 8, 13, "smime.vault.pkcs11.pin_file is required");

    [Fact]
    public void A_malformed_sender_is_named() =>
        AssertError(Base + "  sign:\n    senders: [\"not an address\"]\n", 8, 15, "smime.sign.senders[0]");

    [Fact]
    public void A_domain_listed_twice_is_named() =>
        AssertError(Base + "  encrypt:\n    domains:\n      partner.test: required\n      PARTNER.test: never\n", 10, 7, "listed twice");
}
