using Gateway.Smime.CertificateDirectory;
using Gateway.Smime.Cms;
using Gateway.Smime.Tests.Cms;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Smime.Tests.CertificateDirectory.DirectoryTestCertificates;

namespace Gateway.Smime.Tests.CertificateDirectory;

public sealed class FileCertificateStoreTests : IDisposable
{
    private static readonly TestCa Ca = TestPki.CreateCa();
    private readonly TempDirectory _directory = new("gw-certstore");
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => _directory.Dispose();

    private FileCertificateStore Store(int max = 100_000, bool watch = true) =>
        new(new FileCertificateStoreOptions(_directory.Path) { MaxCertificates = max, Watch = watch }, _time, NullLogger<FileCertificateStore>.Instance);

    [Fact]
    public async Task An_added_certificate_is_found_by_address_in_any_case_and_survives_a_restart()
    {
        var alice = TestPki.Issue(Ca, "alice@example.org");
        using (var store = Store())
        {
            Assert.Equal(CertificateStoreAddResult.Added, await store.AddAsync(ToDotNet(alice.Certificate), CertificateOrigin.Harvest, default));
            Assert.Equal(CertificateStoreAddResult.Duplicate, await store.AddAsync(ToDotNet(alice.Certificate), CertificateOrigin.Import, default));
            Assert.Equal(alice.Certificate, Assert.Single(await store.FindAsync("Alice@EXAMPLE.org", default)).Certificate);
        }

        var file = Assert.Single(Directory.GetFiles(_directory.Path));
        Assert.EndsWith(".harvest.der", file, StringComparison.Ordinal);
        using var reopened = Store();
        Assert.Single(await reopened.FindAsync("alice@example.org", default));
        Assert.Empty(await reopened.FindAsync("bob@example.org", default));
    }

    [Fact]
    public async Task A_pem_file_an_administrator_drops_in_is_read_and_a_broken_file_is_skipped()
    {
        var bob = TestPki.Issue(Ca, "bob@example.org");
        await File.WriteAllTextAsync(_directory.File("bob.pem"), bob.CertificatePem);
        await File.WriteAllTextAsync(_directory.File("junk.crt"), "not a certificate");
        using var store = Store();

        Assert.Single(await store.FindAsync("bob@example.org", default));
        Assert.Equal(1, await store.CountAsync(default));
    }

    [Fact]
    public async Task A_file_the_gateways_user_may_not_read_is_skipped_and_the_other_certificates_still_serve()
    {
        var bob = TestPki.Issue(Ca, "bob@example.org");
        await File.WriteAllTextAsync(_directory.File("bob.pem"), bob.CertificatePem);
        await File.WriteAllTextAsync(_directory.File("root-only.pem"), bob.CertificatePem);

        // An administrator copied a certificate in with an owner or mode the gateway's user cannot read (which a
        // test run as root cannot make the file system refuse).
        var options = new FileCertificateStoreOptions(_directory.Path)
        {
            ReadFile = (path, cancellationToken) => path.EndsWith("root-only.pem", StringComparison.Ordinal)
                ? throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.")
                : File.ReadAllBytesAsync(path, cancellationToken),
        };
        using var store = new FileCertificateStore(options, _time, NullLogger<FileCertificateStore>.Instance);

        Assert.Single(await store.FindAsync("bob@example.org", default));
        Assert.Equal(1, await store.CountAsync(default));
    }

    // Watched (inotify), and followed by the directory's modification time as where it cannot be watched.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_certificate_copied_in_or_removed_while_the_store_runs_counts_from_the_next_lookup(bool watch)
    {
        var bob = TestPki.Issue(Ca, "bob@example.org");
        var carol = TestPki.Issue(Ca, "carol@example.org");
        using var store = Store(watch: watch);
        Assert.Equal(CertificateStoreAddResult.Added, await store.AddAsync(ToDotNet(carol.Certificate), CertificateOrigin.Import, default));
        Assert.Empty(await store.FindAsync("bob@example.org", default));

        // What an administrator does to make a partner's certificate known: copy it in, no restart.
        await File.WriteAllTextAsync(_directory.File("bob.pem"), bob.CertificatePem);
        Assert.Equal(bob.Certificate, Assert.Single(await store.FindAsync("bob@example.org", default)).Certificate);
        Assert.Single(await store.FindAsync("carol@example.org", default));
        Assert.Equal(2, await store.CountAsync(default));

        // And to withdraw one (wrong or compromised): remove the file, and nothing more is encrypted to it.
        File.Delete(_directory.File("bob.pem"));
        Assert.Empty(await store.FindAsync("bob@example.org", default));
        Assert.Single(await store.FindAsync("carol@example.org", default));
        Assert.Equal(1, await store.CountAsync(default));
    }

    [Fact]
    public async Task The_stores_own_additions_do_not_make_the_next_lookup_list_the_directory_but_an_administrators_change_does()
    {
        var carol = TestPki.Issue(Ca, "carol@example.org");
        var dave = TestPki.Issue(Ca, "dave@example.org");
        var bob = TestPki.Issue(Ca, "bob@example.org");
        using var store = Store();
        Assert.Empty(await store.FindAsync("carol@example.org", default));
        Assert.Equal(1, store.Listings);

        // An import, and a harvest that also writes what the signer advertised: both used at once, without a listing.
        Assert.Equal(CertificateStoreAddResult.Added, await store.AddAsync(ToDotNet(carol.Certificate), CertificateOrigin.Import, default));
        Assert.Equal(CertificateStoreAddResult.Added, await store.AddHarvestedAsync(new SmimeRecipient(dave.Certificate, new RecipientCapabilities(true, false)), default));
        Assert.Single(await store.FindAsync("carol@example.org", default));
        Assert.Equal(new RecipientCapabilities(true, false), Assert.Single(await store.FindAsync("dave@example.org", default)).Capabilities);
        Assert.Equal(2, await store.CountAsync(default));
        Assert.Equal(1, store.Listings);

        // An administrator's copy is listed at the next lookup, once.
        await File.WriteAllTextAsync(_directory.File("bob.pem"), bob.CertificatePem);
        Assert.Single(await store.FindAsync("bob@example.org", default));
        Assert.Single(await store.FindAsync("bob@example.org", default));
        Assert.Equal(2, store.Listings);

        // And so is the removal of a certificate the gateway harvested itself.
        File.Delete(Assert.Single(Directory.GetFiles(_directory.Path, "*.harvest.der")));
        Assert.Empty(await store.FindAsync("dave@example.org", default));
        Assert.Equal(3, store.Listings);
        Assert.Equal(2, await store.CountAsync(default));
    }

    [Fact]
    public async Task Harvests_and_lookups_on_many_threads_see_every_certificate_and_an_administrators_copy_made_meanwhile()
    {
        var signers = Enumerable.Range(0, 16).Select(i => TestPki.Issue(Ca, $"signer{i}@example.org", TestKeyKind.EcP256)).ToList();
        var partner = TestPki.Issue(Ca, "partner@example.org", TestKeyKind.EcP256);
        var bob = TestPki.Issue(Ca, "bob@example.org", TestKeyKind.EcP256);

        // Enough files that the first listing, under the lock, keeps the other threads waiting for it.
        for (var i = 0; i < 64; i++)
        {
            await File.WriteAllTextAsync(_directory.File($"partner-{i}.pem"), partner.CertificatePem);
        }

        using var store = Store();
        var copy = Task.Run(async () =>
        {
            await Task.Delay(5);
            await File.WriteAllTextAsync(_directory.File("bob.pem"), bob.CertificatePem);
        });
        await Task.WhenAll(signers.Select(signer => Task.Run(async () =>
        {
            Assert.Equal(CertificateStoreAddResult.Added, await store.AddHarvestedAsync(new SmimeRecipient(signer.Certificate, RecipientCapabilities.None), default));
            Assert.Equal(signer.Certificate, Assert.Single(await store.FindAsync(signer.Address, default)).Certificate);
        })).Append(copy));

        // The copy, wherever it fell among the harvests, is seen (listed once, or twice when a lookup came between its
        // creation and its last write); the sixteen harvests were never a reason to list.
        Assert.Single(await store.FindAsync("bob@example.org", default));
        Assert.Equal(signers.Count + 2, await store.CountAsync(default));
        Assert.InRange(store.Listings, 1, 3);

        using var reopened = Store();
        Assert.Equal(signers.Count + 2, await reopened.CountAsync(default));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_certificate_still_being_copied_when_the_directory_is_listed_is_read_once_complete(bool watch)
    {
        var bob = TestPki.Issue(Ca, "bob@example.org");
        using var store = Store(watch: watch);
        Assert.Equal(0, await store.CountAsync(default));

        var pem = System.Text.Encoding.ASCII.GetBytes(bob.CertificatePem);
        await using (var copying = new FileStream(_directory.File("bob.pem"), FileMode.CreateNew))
        {
            await copying.WriteAsync(pem.AsMemory(0, pem.Length / 2));
            await copying.FlushAsync();
            Assert.Empty(await store.FindAsync("bob@example.org", default));
            await copying.WriteAsync(pem.AsMemory(pem.Length / 2));
        }

        Assert.Single(await store.FindAsync("bob@example.org", default));
    }

    [Fact]
    public async Task A_directory_replaced_while_watched_is_followed()
    {
        var carol = TestPki.Issue(Ca, "carol@example.org");
        var bob = TestPki.Issue(Ca, "bob@example.org");
        using var store = Store();
        await store.AddAsync(ToDotNet(carol.Certificate), CertificateOrigin.Import, default);

        // Moved aside and a new directory put in its place, as a restore from backup might.
        Directory.Move(_directory.Path, _directory.Path + ".old");
        Directory.CreateDirectory(_directory.Path);
        await File.WriteAllTextAsync(_directory.File("bob.pem"), bob.CertificatePem);
        try
        {
            Assert.Single(await store.FindAsync("bob@example.org", default));
            Assert.Empty(await store.FindAsync("carol@example.org", default));

            // The new directory is the one watched: a removal there counts, and a change in the old one does not.
            File.Delete(_directory.File("bob.pem"));
            Assert.Empty(await store.FindAsync("bob@example.org", default));
            var listings = store.Listings;
            await File.WriteAllTextAsync(Path.Combine(_directory.Path + ".old", "bob.pem"), bob.CertificatePem);
            Assert.Empty(await store.FindAsync("bob@example.org", default));
            Assert.Equal(listings, store.Listings);
        }
        finally
        {
            Directory.Delete(_directory.Path + ".old", recursive: true);
        }
    }

    [Fact]
    public async Task Expired_and_CA_certificates_are_refused_and_the_count_is_bounded()
    {
        using var store = Store(max: 1);
        var expired = ValidFrom(Ca, "old@example.org", new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal(CertificateStoreAddResult.Expired, await store.AddAsync(ToDotNet(expired.Certificate), CertificateOrigin.Import, default));
        Assert.Equal(CertificateStoreAddResult.CaCertificate, await store.AddAsync(ToDotNet(Ca.Certificate), CertificateOrigin.Import, default));
        Assert.Equal(CertificateStoreAddResult.Added, await store.AddAsync(ToDotNet(TestPki.Issue(Ca, "a@example.org").Certificate), CertificateOrigin.Import, default));
        Assert.Equal(CertificateStoreAddResult.StoreFull, await store.AddAsync(ToDotNet(TestPki.Issue(Ca, "b@example.org").Certificate), CertificateOrigin.Import, default));
        Assert.Single(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public async Task Only_usable_certificates_are_offered_newest_first_with_what_they_advertise()
    {
        var older = TestPki.Issue(Ca, "carol@example.org");
        var newer = AdvertisingGcmAndOaep(Ca, "carol@example.org");
        var signingOnly = SigningOnly(Ca, "carol@example.org");
        var serverOnly = TestPki.Issue(Ca, "carol@example.org", emailProtection: false);
        var future = ValidFrom(Ca, "carol@example.org", new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2028, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var later = TestPki.Issue(Ca, "carol@example.org", customize: g => g.SetNotBefore(new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc)));
        using var store = Store();
        foreach (var identity in new[] { older, newer, signingOnly, serverOnly, future, later })
        {
            await store.AddAsync(ToDotNet(identity.Certificate), CertificateOrigin.Import, default);
        }

        var found = await store.FindAsync("carol@example.org", default);

        // "newer" shares TestPki's notBefore with "older": the order between them is not specified.
        Assert.Equal(3, found.Count);
        Assert.Equal(later.Certificate, found[0].Certificate);
        var advertising = Assert.Single(found, r => r.Certificate.Equals(newer.Certificate));
        Assert.Equal(new RecipientCapabilities(true, true), advertising.Capabilities);
        Assert.Equal(RecipientCapabilities.None, found.Single(r => r.Certificate.Equals(older.Certificate)).Capabilities);

        _time.SetUtcNow(new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(future.Certificate, (await store.FindAsync("carol@example.org", default))[0].Certificate);
    }

    [Fact]
    public async Task A_harvested_signer_keeps_what_its_signature_advertised_across_a_restart()
    {
        var scenario = new SigningScenario();
        var (wire, _) = await scenario.SignAsync(TestMessages.Plain());
        var harvested = Assert.Single((await scenario.VerifyAsync(wire)).HarvestedCertificates);
        Assert.Equal(RecipientCapabilities.None, RecipientCapabilities.FromCertificate(harvested.Certificate));

        using (var store = Store())
        {
            Assert.Equal(CertificateStoreAddResult.Added, await store.AddHarvestedAsync(harvested, default));
            Assert.Equal(CertificateStoreAddResult.Duplicate, await store.AddHarvestedAsync(harvested with { Capabilities = RecipientCapabilities.None }, default));
        }

        using var reopened = Store();
        var found = Assert.Single(await reopened.FindAsync("alice@example.com", default));
        Assert.Equal(new RecipientCapabilities(true, true), found.Capabilities);
        Assert.Equal(1, await reopened.CountAsync(default));
    }

    [Fact]
    public async Task Capabilities_learnt_later_are_added_to_a_stored_certificate()
    {
        var alice = TestPki.Issue(Ca, "alice@example.org");
        using var store = Store();
        await store.AddAsync(ToDotNet(alice.Certificate), CertificateOrigin.Import, default);
        Assert.Equal(RecipientCapabilities.None, Assert.Single(await store.FindAsync("alice@example.org", default)).Capabilities);

        await store.AddHarvestedAsync(new SmimeRecipient(alice.Certificate, new RecipientCapabilities(true, false)), default);

        Assert.Equal(new RecipientCapabilities(true, false), Assert.Single(await store.FindAsync("alice@example.org", default)).Capabilities);
    }
}
