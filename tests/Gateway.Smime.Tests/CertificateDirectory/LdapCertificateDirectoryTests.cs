using Gateway.Smime.CertificateDirectory;
using Gateway.Smime.Tests.Cms;
using Gateway.Testing;
using Gateway.Testing.Peers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Cms;
using static Gateway.Smime.Tests.CertificateDirectory.DirectoryTestCertificates;

namespace Gateway.Smime.Tests.CertificateDirectory;

/// <summary>Against a real slapd: the attributes of RFC 4523 and RFC 2798 as OpenLDAP stores them, the filter escaping, the cache.</summary>
public sealed class LdapCertificateDirectoryTests : IAsyncLifetime
{
    private static readonly TestCa Ca = TestPki.CreateCa();
    private readonly FakeTimeProvider _time = new(Now);
    private Slapd _slapd = null!;

    public async Task InitializeAsync() => _slapd = await Slapd.StartAsync();

    public async Task DisposeAsync() => await _slapd.DisposeAsync();

    private LdapCertificateDirectory Directory(LdapDirectoryOptions? options = null) =>
        new(options ?? new LdapDirectoryOptions([_slapd.Uri], _slapd.Suffix), _time, NullLogger<LdapCertificateDirectory>.Instance);

    private Task AddPersonAsync(string cn, string mail, string certificateAttributes) =>
        _slapd.AddAsync($"dn: cn={cn},{_slapd.Suffix}\nobjectClass: inetOrgPerson\ncn: {cn}\nsn: {cn}\nmail: {mail}\n{certificateAttributes}");

    [Fact]
    public async Task A_userCertificate_is_found_by_mail_anonymously_and_with_a_bind()
    {
        var alice = TestPki.Issue(Ca, "alice@example.test");
        await AddPersonAsync("alice", "alice@example.test", Slapd.Binary("userCertificate;binary", alice.Certificate.GetEncoded()));

        var anonymous = await Directory().FindAsync("alice@example.test", default);
        var bound = await Directory(new LdapDirectoryOptions([_slapd.Uri], _slapd.Suffix) { BindDn = _slapd.RootDn, BindPassword = Slapd.Password })
            .FindAsync("Alice@Example.TEST", default);

        Assert.Equal(alice.Certificate, Assert.Single(anonymous).Certificate);
        Assert.Equal(alice.Certificate, Assert.Single(bound).Certificate);
    }

    [Fact]
    public async Task Certificates_inside_a_userSMIMECertificate_SignedData_are_found_and_filtered()
    {
        var bob = AdvertisingGcmAndOaep(Ca, "bob@example.test");
        var other = TestPki.Issue(Ca, "someone-else@example.test");
        var generator = new CmsSignedDataGenerator();
        generator.AddCertificate(bob.Certificate);
        generator.AddCertificate(other.Certificate);
        generator.AddCertificate(Ca.Certificate);
        var signedData = generator.Generate(new CmsProcessableByteArray([])).GetEncoded();
        await AddPersonAsync("bob", "bob@example.test", Slapd.Binary("userSMIMECertificate", signedData));

        var found = Assert.Single(await Directory().FindAsync("bob@example.test", default));

        Assert.Equal(bob.Certificate, found.Certificate);
        Assert.True(found.Capabilities.Aes256Gcm);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*@example.test")]
    [InlineData("carol@example.test)(mail=*")]
    public async Task An_address_with_filter_syntax_matches_nobody_else(string address)
    {
        var carol = TestPki.Issue(Ca, "carol@example.test");
        await AddPersonAsync("carol", "carol@example.test", Slapd.Binary("userCertificate;binary", carol.Certificate.GetEncoded()));

        Assert.Empty(await Directory().FindAsync(address, default));
    }

    [Fact]
    public async Task Answers_and_misses_are_cached_for_their_TTLs()
    {
        var dave = TestPki.Issue(Ca, "dave@example.test");
        var erin = TestPki.Issue(Ca, "erin@example.test");
        await AddPersonAsync("dave", "dave@example.test", Slapd.Binary("userCertificate;binary", dave.Certificate.GetEncoded()));
        var directory = Directory(new LdapDirectoryOptions([_slapd.Uri], _slapd.Suffix) { PositiveTtl = TimeSpan.FromHours(1), NegativeTtl = TimeSpan.FromMinutes(10) });
        Assert.Single(await directory.FindAsync("dave@example.test", default));
        Assert.Empty(await directory.FindAsync("erin@example.test", default));

        await _slapd.ModifyAsync($"dn: cn=dave,{_slapd.Suffix}\nchangetype: delete\n");
        await AddPersonAsync("erin", "erin@example.test", Slapd.Binary("userCertificate;binary", erin.Certificate.GetEncoded()));

        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Single(await directory.FindAsync("dave@example.test", default));
        Assert.Empty(await directory.FindAsync("erin@example.test", default));

        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Single(await directory.FindAsync("erin@example.test", default));
        Assert.Single(await directory.FindAsync("dave@example.test", default));

        _time.Advance(TimeSpan.FromMinutes(50));
        Assert.Empty(await directory.FindAsync("dave@example.test", default));
    }

    [Fact]
    public async Task A_dead_server_gives_no_certificate_without_throwing_and_the_next_server_is_tried()
    {
        var frank = TestPki.Issue(Ca, "frank@example.test");
        await AddPersonAsync("frank", "frank@example.test", Slapd.Binary("userCertificate;binary", frank.Certificate.GetEncoded()));
        var dead = new Uri($"ldap://127.0.0.1:{FreePort.Next()}/");

        var onlyDead = Directory(new LdapDirectoryOptions([dead], _slapd.Suffix) { Timeout = TimeSpan.FromSeconds(2) });
        var deadThenAlive = Directory(new LdapDirectoryOptions([dead, _slapd.Uri], _slapd.Suffix) { Timeout = TimeSpan.FromSeconds(2) });

        Assert.Empty(await onlyDead.FindAsync("frank@example.test", default));
        Assert.Single(await deadThenAlive.FindAsync("frank@example.test", default));
    }

    [Fact]
    public async Task A_failure_is_remembered_briefly_then_the_directory_is_asked_again()
    {
        var gina = TestPki.Issue(Ca, "gina@example.test");
        await AddPersonAsync("gina", "gina@example.test", Slapd.Binary("userCertificate;binary", gina.Certificate.GetEncoded()));
        var directory = Directory(new LdapDirectoryOptions([_slapd.Uri], _slapd.Suffix) { Timeout = TimeSpan.FromSeconds(2), FailureTtl = TimeSpan.FromMinutes(1) });
        var wrongPassword = Directory(new LdapDirectoryOptions([_slapd.Uri], _slapd.Suffix) { BindDn = _slapd.RootDn, BindPassword = "wrong" });

        await _slapd.StopAsync();
        Assert.Empty(await directory.FindAsync("gina@example.test", default));
        await _slapd.ResumeAsync();
        Assert.Empty(await directory.FindAsync("gina@example.test", default));
        Assert.Empty(await wrongPassword.FindAsync("gina@example.test", default));

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Single(await directory.FindAsync("gina@example.test", default));
    }

    [Fact]
    public async Task More_entries_than_the_limit_answer_with_the_first_ones()
    {
        for (var i = 0; i < 3; i++)
        {
            var shared = TestPki.Issue(Ca, "team@example.test");
            await AddPersonAsync($"team{i}", "team@example.test", Slapd.Binary("userCertificate;binary", shared.Certificate.GetEncoded()));
        }

        var found = await Directory(new LdapDirectoryOptions([_slapd.Uri], _slapd.Suffix) { MaxEntries = 2 }).FindAsync("team@example.test", default);

        Assert.Equal(2, found.Count);
    }
}
