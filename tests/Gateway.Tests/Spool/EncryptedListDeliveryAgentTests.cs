using System.Text;
using Gateway.Abstractions;
using Gateway.Host.Spool;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Pipeline.Tests.Lists;
using Gateway.Policy;
using Gateway.Queue;
using Gateway.Queue.Notices;
using Gateway.Queue.Scheduling;
using Gateway.Smime.Cms;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Gateway.Tests.Spool;

/// <summary>
/// Mail for an encrypted list through the delivery agent in front of the real one, with a real spool: one new
/// queued message for the members with certificates, a failure notice for the one without, the rest untouched.
/// </summary>
public sealed class EncryptedListDeliveryAgentTests(ListPki pki) : IClassFixture<ListPki>, IAsyncLifetime
{
    private readonly FileQueueStore _queue = NewQueue();
    private readonly RecordingAgent _inner = new();
    private readonly InMemorySmimeKeySource _vault = new();
    private bool _sealed;
    private bool _servicesBuilt = true;

    private static FileQueueStore NewQueue()
    {
        var state = TestDirectories.CreateTemp("gw-lists");
        return new FileQueueStore(Path.Combine(state, "queue"), TimeProvider.System, new FileTraceLog(Path.Combine(state, "log")), NullLogger<FileQueueStore>.Instance);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _queue.DisposeAsync().AsTask();

    private static GatewayPolicy Policy() => new()
    {
        HostName = "mx.example.test",
        StateDirectory = "/tmp/unused",
        Domains = ["example.test"],
        Smime = new SmimePolicy
        {
            Enabled = true,
            Lists = new Dictionary<string, SmimeListPolicy>(StringComparer.OrdinalIgnoreCase)
            {
                ["board@example.test"] = new()
                {
                    Address = new Mailbox("board", "example.test"),
                    Members = [new Mailbox("alice", "example.test"), new Mailbox("bob", "partner.test"), new Mailbox("carol", "example.test")],
                },
            },
        },
    };

    private EncryptedListDeliveryAgent Agent()
    {
        _vault.AddRecipientKey("board@example.test", pki.Board.PrivateKey, pki.Board.Certificate);
        var certificates = new Dictionary<string, SmimeRecipient>(StringComparer.OrdinalIgnoreCase)
        {
            ["alice@example.test"] = new(pki.Alice.Certificate),
            ["bob@partner.test"] = new(pki.Bob.Certificate),
        };
        var services = new SmimeServices
        {
            Keys = _vault,
            IsSealed = () => _sealed,
            FindCertificate = (address, _) => ValueTask.FromResult(certificates.TryGetValue(address, out var found) ? found : null),
            Time = TimeProvider.System,
        };
        var notices = new DsnNoticeFactory(new DsnNoticeOptions { HostName = "mx.example.test", IsLocalDomain = d => d == "example.test" }, TimeProvider.System);
        return new EncryptedListDeliveryAgent(
            _inner, Policy, () => _servicesBuilt ? services : null, _queue, () => notices, TimeProvider.System, NullLogger<EncryptedListDeliveryAgent>.Instance);
    }

    /// <summary>Mail from eve to the list and to dave, spooled still encrypted for the list (the vault was sealed at accept).</summary>
    private async Task<DeliveryJob> QueuedForListAsync(string origin = QueuedEnvelope.SmtpOrigin)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("eve@elsewhere.test"));
        message.To.Add(MailboxAddress.Parse("board@example.test"));
        message.Subject = "minutes";
        message.Body = new TextPart("plain") { Text = "Board minutes: confidential.\r\n" };
        await new SmimeEncryptor().EncryptAsync(message, [new SmimeRecipient(pki.Board.Certificate)], SmimeEncryptOptions.Default, default);
        using var bytes = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        await message.WriteToAsync(format, bytes);

        var envelope = new QueuedEnvelope
        {
            QueueId = string.Empty,
            ReceivedAt = DateTimeOffset.UtcNow,
            Origin = origin,
            From = "eve@elsewhere.test",
            Recipients =
            [
                new QueuedRecipient("board@example.test", MailDirection.Inbound, DsnNotify.None, null, null),
                new QueuedRecipient("dave@example.test", MailDirection.Inbound, DsnNotify.None, null, null),
            ],
        };
        var id = await _queue.EnqueueAsync(envelope, bytes.ToArray(), default);
        var queued = (await _queue.GetAsync(id, default))!.Envelope;
        return new DeliveryJob(id, queued, queued.Recipients, ct => _queue.OpenMessageAsync(id, ct));
    }

    private async Task<List<(QueuedEnvelope Envelope, byte[] Content)>> OthersThanAsync(string id)
    {
        var result = new List<(QueuedEnvelope, byte[])>();
        await foreach (var entry in _queue.ListAsync(default))
        {
            if (entry.Envelope.QueueId == id)
            {
                continue;
            }

            await using var stream = await _queue.OpenMessageAsync(entry.Envelope.QueueId, default);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            result.Add((entry.Envelope, copy.ToArray()));
        }

        return result;
    }

    [Fact]
    public async Task The_list_is_expanded_into_one_queued_message_and_the_member_without_certificate_is_reported()
    {
        var job = await QueuedForListAsync();

        var outcomes = await Agent().DeliverAsync(job, default);

        // The list is done with the new queue id; dave went to the inner agent alone.
        Assert.Equal(["board@example.test", "dave@example.test"], outcomes.Select(o => o.Address));
        var expanded = await OthersThanAsync(job.QueueId);
        var (envelope, content) = Assert.Single(expanded, e => e.Envelope.Origin == QueuedEnvelope.ListOrigin);
        Assert.Equal(OutcomeKind.Delivered, outcomes[0].Kind);
        Assert.Equal($"250 2.1.5 expanded to 2 members as queue id {envelope.QueueId}", outcomes[0].Diagnostic);
        Assert.Equal(["dave@example.test"], Assert.Single(_inner.Jobs).Recipients.Select(r => r.Address));

        Assert.Equal("eve@elsewhere.test", envelope.From);
        Assert.Equal(
            [("alice@example.test", MailDirection.Inbound, "board@example.test"), ("bob@partner.test", MailDirection.Outbound, "board@example.test")],
            envelope.Recipients.Select(r => (r.Address, r.Direction, r.OriginalRecipient)));
        var text = Encoding.UTF8.GetString(content);
        Assert.DoesNotContain("confidential", text, StringComparison.Ordinal);
        var parsed = await MimeMessage.LoadAsync(new MemoryStream(content));
        Assert.Equal("minutes", parsed.Subject);
        var keys = new InMemorySmimeKeySource();
        keys.AddRecipientKey("bob@partner.test", pki.Bob.PrivateKey, pki.Bob.Certificate);
        var opened = await new SmimeDecryptor(keys, SmimeLimits.Default).DecryptAsync(parsed.Body!, default);
        Assert.Equal("Board minutes: confidential.", ((TextPart)opened.Content!).Text.TrimEnd());

        // The notice: to the sender, naming carol with 5.7.1, and never the list's content.
        var (noticeEnvelope, noticeContent) = Assert.Single(expanded, e => e.Envelope.Origin == QueuedEnvelope.NoticeOrigin);
        Assert.Equal(["eve@elsewhere.test"], noticeEnvelope.Recipients.Select(r => r.Address));
        var notice = Encoding.UTF8.GetString(noticeContent);
        Assert.Contains("Final-Recipient: rfc822; carol@example.test", notice, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Status: 5.7.1", notice, StringComparison.Ordinal);
        Assert.Contains("no S/MIME certificate for member", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("alice@example.test", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("confidential", notice, StringComparison.Ordinal);
        Assert.Equal(2, expanded.Count);
    }

    [Fact]
    public async Task While_the_vault_is_sealed_the_list_waits_and_nothing_is_queued()
    {
        var job = await QueuedForListAsync();
        _sealed = true;

        var outcomes = await Agent().DeliverAsync(job, default);

        var list = outcomes.Single(o => o.Address == "board@example.test");
        Assert.Equal((OutcomeKind.TransientFailure, "4.7.0"), (list.Kind, list.RemoteEnhancedCode));
        Assert.Contains("waiting for the key vault to be unsealed", list.Diagnostic, StringComparison.Ordinal);
        Assert.Empty(await OthersThanAsync(job.QueueId));
        Assert.Equal(["dave@example.test"], Assert.Single(_inner.Jobs).Recipients.Select(r => r.Address));
    }

    [Fact]
    public async Task Without_S_MIME_services_the_list_waits_too()
    {
        var job = await QueuedForListAsync();
        _servicesBuilt = false;

        var outcomes = await Agent().DeliverAsync(job, default);

        Assert.Equal(OutcomeKind.TransientFailure, outcomes.Single(o => o.Address == "board@example.test").Kind);
        Assert.Empty(await OthersThanAsync(job.QueueId));
    }

    [Fact]
    public async Task An_expansion_is_never_expanded_again()
    {
        var job = await QueuedForListAsync(QueuedEnvelope.ListOrigin);

        var outcomes = await Agent().DeliverAsync(job, default);

        Assert.Equal(["board@example.test", "dave@example.test"], Assert.Single(_inner.Jobs).Recipients.Select(r => r.Address));
        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Delivered, o.Kind));
        Assert.Empty(await OthersThanAsync(job.QueueId));
    }

    private sealed class RecordingAgent : IDeliveryAgent
    {
        public List<DeliveryJob> Jobs { get; } = [];

        public ValueTask<IReadOnlyList<RecipientOutcome>> DeliverAsync(DeliveryJob job, CancellationToken cancellationToken)
        {
            Jobs.Add(job);
            return ValueTask.FromResult<IReadOnlyList<RecipientOutcome>>(
                job.Recipients.Select(r => new RecipientOutcome(r.Address, OutcomeKind.Delivered, "250 2.0.0 ok", "internal", 250, "2.0.0")).ToList());
        }
    }
}
