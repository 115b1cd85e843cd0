using Gateway.Smime.CertificateDirectory;
using Gateway.Smime.Cms;
using Gateway.Smime.Tests.Cms;
using Gateway.Smime.Vault;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Smime.Tests.CertificateDirectory.DirectoryTestCertificates;

namespace Gateway.Smime.Tests.CertificateDirectory;

public sealed class VaultAndCompositeDirectoryTests : IDisposable
{
    private readonly TempDirectory _directory = new("gw-dir-composite");
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_vault_offers_a_users_certificate_even_while_sealed_but_not_a_domain_key()
    {
        using var vault = new KeyVault(_directory.File("vault"), _time);
        using (await vault.InitializeAsync(3, 2, "setup", default))
        {
            await vault.GenerateAsync(VaultIdentity.Parse("alice@example.org"), VaultKeyAlgorithm.Rsa2048, "setup", default);
            await vault.GenerateAsync(VaultIdentity.Parse("example.org"), VaultKeyAlgorithm.EcP256, "setup", default);
        }

        await vault.SealAsync("test", default);
        var directory = new VaultCertificateDirectory(vault, _time);

        Assert.Single(await directory.FindAsync("ALICE@example.org", default));
        Assert.Empty(await directory.FindAsync("example.org", default));
        Assert.Empty(await directory.FindAsync("bob@example.org", default));
        Assert.Empty(await directory.FindAsync("not an address", default));
    }

    [Fact]
    public async Task The_first_source_that_knows_the_address_answers_and_later_ones_are_not_asked()
    {
        var ca = TestPki.CreateCa();
        using var first = new FileCertificateStore(new FileCertificateStoreOptions(_directory.File("a")), _time, NullLogger<FileCertificateStore>.Instance);
        using var second = new FileCertificateStore(new FileCertificateStoreOptions(_directory.File("b")), _time, NullLogger<FileCertificateStore>.Instance);
        var fromFirst = TestPki.Issue(ca, "dave@example.org");
        var fromSecond = TestPki.Issue(ca, "dave@example.org");
        var onlySecond = TestPki.Issue(ca, "erin@example.org");
        await first.AddAsync(ToDotNet(fromFirst.Certificate), CertificateOrigin.Import, default);
        await second.AddAsync(ToDotNet(fromSecond.Certificate), CertificateOrigin.Import, default);
        await second.AddAsync(ToDotNet(onlySecond.Certificate), CertificateOrigin.Harvest, default);
        var counting = new CountingDirectory();
        var composite = new CompositeCertificateDirectory([first, second, counting]);

        Assert.Equal(fromFirst.Certificate, Assert.Single(await composite.FindAsync("dave@example.org", default)).Certificate);
        Assert.Equal(onlySecond.Certificate, Assert.Single(await composite.FindAsync("erin@example.org", default)).Certificate);
        Assert.Empty(await composite.FindAsync("nobody@example.org", default));
        Assert.Equal(1, counting.Calls);
    }

    private sealed class CountingDirectory : ICertificateDirectory
    {
        public int Calls { get; private set; }

        public Task<IReadOnlyList<SmimeRecipient>> FindAsync(string address, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult<IReadOnlyList<SmimeRecipient>>([]);
        }
    }
}
