using System.Text;
using Gateway.Abstractions;
using Gateway.Pipeline.Lists;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Pipeline.Tests.Flow;
using Gateway.Pipeline.Tests.Smime;
using Gateway.Policy;
using Gateway.Smime.Cms;
using Gateway.Smime.Tests.Cms;
using MimeKit;

namespace Gateway.Pipeline.Tests.Lists;

public sealed class EncryptedListExpanderTests(ListPki pki) : IClassFixture<ListPki>
{
    private readonly InMemorySmimeKeySource _vault = new();
    private readonly Dictionary<string, SmimeRecipient> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private bool _sealed;

    private static readonly SmimeListPolicy Board = new()
    {
        Address = new Mailbox("board", "example.test"),
        Members = [new Mailbox("alice", "example.test"), new Mailbox("bob", "partner.test"), new Mailbox("carol", "example.test")],
    };

    private EncryptedListExpander Expander()
    {
        _vault.AddRecipientKey("board@example.test", pki.Board.PrivateKey, pki.Board.Certificate);
        var policy = MessageChecksTests.Policy() with
        {
            Smime = new SmimePolicy { Enabled = true, Lists = new Dictionary<string, SmimeListPolicy>(StringComparer.OrdinalIgnoreCase) { ["board@example.test"] = Board } },
        };
        return new EncryptedListExpander(policy, new SmimeServices
        {
            Keys = _vault,
            IsSealed = () => _sealed,
            FindCertificate = (address, _) => ValueTask.FromResult(_certificates.TryGetValue(address, out var found) ? found : null),
            Time = TimeProvider.System,
        });
    }

    private void MembersWithCertificates()
    {
        _certificates["alice@example.test"] = new SmimeRecipient(pki.Alice.Certificate);
        _certificates["bob@partner.test"] = new SmimeRecipient(pki.Bob.Certificate);
    }

    /// <summary>The list's copy as the spool holds it when the vault was sealed at accept: still encrypted for the list.</summary>
    private async Task<Stream> StillEncryptedAsync()
    {
        var text = "Received: from sender.test by mx.example.test\r\nX-Gateway-SMIME: not-decrypted by mx.example.test; reason=vault-sealed\r\n"
            + await SmimeHarness.EncryptedForAsync(pki.Board, "Board minutes: confidential.\r\n");
        return new MemoryStream(Encoding.UTF8.GetBytes(text));
    }

    private static async Task<string> DecryptAsAsync(TestIdentity member, ReadOnlyMemory<byte> content)
    {
        var keys = new InMemorySmimeKeySource();
        keys.AddRecipientKey(member.Address, member.PrivateKey, member.Certificate);
        var message = await MimeMessage.LoadAsync(new MemoryStream(content.ToArray()));
        var result = await new SmimeDecryptor(keys, SmimeLimits.Default).DecryptAsync(message.Body!, default);
        Assert.Equal(SmimeDecryptStatus.Decrypted, result.Status);
        return ((TextPart)result.Content!).Text.TrimEnd();
    }

    [Fact]
    public async Task Members_with_certificates_get_one_envelope_each_can_open_with_their_own_key()
    {
        MembersWithCertificates();

        var expansion = await Expander().ExpandAsync(Board, await StillEncryptedAsync(), default);

        Assert.Equal(ListExpansionStatus.Expanded, expansion.Status);
        Assert.Equal(
            [("alice@example.test", MailDirection.Inbound), ("bob@partner.test", MailDirection.Outbound)],
            expansion.Recipients.Select(r => (r.Address.ToString(), r.Direction)));
        Assert.Equal("Board minutes: confidential.", await DecryptAsAsync(pki.Alice, expansion.Content));
        Assert.Equal("Board minutes: confidential.", await DecryptAsAsync(pki.Bob, expansion.Content));

        var message = await MimeMessage.LoadAsync(new MemoryStream(expansion.Content.ToArray()));
        Assert.Equal("eve@elsewhere.test", message.From.Mailboxes.Single().Address);
        Assert.Equal("board@example.test", message.To.Mailboxes.Single().Address);
        Assert.Equal("sealed", message.Subject);
        Assert.Equal("<board.example.test>", message.Headers[HeaderId.ListId]);
        Assert.StartsWith("list-expanded by mx.example.test; list=board@example.test", message.Headers[SmimeContent.MarkerField], StringComparison.Ordinal);
        Assert.Single(message.Headers, h => h.Field == SmimeContent.MarkerField);
        Assert.Contains("Received: from sender.test", Encoding.UTF8.GetString(expansion.Content.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_without_a_certificate_is_reported_and_gets_nothing()
    {
        MembersWithCertificates();

        var expansion = await Expander().ExpandAsync(Board, await StillEncryptedAsync(), default);

        var refused = Assert.Single(expansion.Refused);
        Assert.Equal(("carol@example.test", MailDirection.Inbound, "5.7.1", "550 5.7.1 no S/MIME certificate for member"),
            (refused.Member.ToString(), refused.Direction, refused.Status, refused.Diagnostic));
        Assert.DoesNotContain(expansion.Recipients, r => r.Address.LocalPart == "carol");
    }

    [Fact]
    public async Task While_the_vault_is_sealed_nothing_is_produced()
    {
        MembersWithCertificates();
        _sealed = true;

        var expansion = await Expander().ExpandAsync(Board, await StillEncryptedAsync(), default);

        Assert.Equal(ListExpansionStatus.VaultSealed, expansion.Status);
        Assert.True(expansion.Content.IsEmpty);
        Assert.Empty(expansion.Recipients);
        Assert.Empty(expansion.Refused);
    }

    [Fact]
    public async Task A_copy_decrypted_at_accept_is_encrypted_again_and_loses_the_accept_marker()
    {
        MembersWithCertificates();
        var decrypted = "X-Gateway-SMIME: decrypted by mx.example.test; key=board@example.test\r\n" + SmimeHarness.Plain("board@example.test", "Already readable.\r\n");

        var expansion = await Expander().ExpandAsync(Board, new MemoryStream(Encoding.UTF8.GetBytes(decrypted)), default);

        Assert.Equal(ListExpansionStatus.Expanded, expansion.Status);
        var text = Encoding.UTF8.GetString(expansion.Content.Span);
        Assert.DoesNotContain("Already readable", text, StringComparison.Ordinal);
        Assert.DoesNotContain("key=board@example.test", text, StringComparison.Ordinal);
        Assert.Equal("Already readable.", await DecryptAsAsync(pki.Alice, expansion.Content));
    }

    [Fact]
    public async Task Without_any_member_certificate_nothing_is_produced_and_every_member_is_named()
    {
        var expansion = await Expander().ExpandAsync(Board, await StillEncryptedAsync(), default);

        Assert.Equal(ListExpansionStatus.NoMemberReachable, expansion.Status);
        Assert.True(expansion.Content.IsEmpty);
        Assert.Equal(["alice@example.test", "bob@partner.test", "carol@example.test"], expansion.Refused.Select(r => r.Member.ToString()));
    }

    [Fact]
    public async Task A_copy_encrypted_for_another_key_is_undecryptable()
    {
        MembersWithCertificates();
        var text = await SmimeHarness.EncryptedForAsync(pki.Alice);

        var expansion = await Expander().ExpandAsync(Board, new MemoryStream(Encoding.UTF8.GetBytes(text)), default);

        Assert.Equal(ListExpansionStatus.Undecryptable, expansion.Status);
        Assert.True(expansion.Content.IsEmpty);
    }
}
