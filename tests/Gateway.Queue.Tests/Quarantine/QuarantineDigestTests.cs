using System.Text;
using Gateway.Abstractions;
using Gateway.Queue.Tests.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Queue.Tests.Quarantine;

/// <summary>
/// The daily digest: one mail per recipient of ours listing the items held for them since the last digest, queued
/// from the null sender with NOTIFY=NEVER; older items, operators' holds and ordinary mail are not in it.
/// </summary>
public sealed class QuarantineDigestTests
{
    [Fact]
    public async Task Each_recipient_gets_one_digest_of_the_items_held_for_them_since_the_last_one()
    {
        await using var ctx = new SpoolTestContext();
        var old = await QuarantineAsync(ctx, "old one", "bob@example.test");
        ctx.Time.Advance(TimeSpan.FromDays(1));
        var since = ctx.Time.GetUtcNow();
        var both = await QuarantineAsync(ctx, "Cheap pills", "bob@example.test", "carol@example.test");
        var bobs = await QuarantineAsync(ctx, "Prize \u00e9t\u00e9", "bob@example.test");
        var held = SpoolTestContext.QueueIdOf(await ctx.SendAsync(SpoolTestContext.Message("held by an operator")));
        await ctx.Store.HoldAsync(held, CancellationToken.None);
        var quarantine = new MessageQuarantine(ctx.Store, ctx.Time, NullLogger<MessageQuarantine>.Instance);

        var ids = await new QuarantineDigest(quarantine, ctx.Store, ctx.Time, SpoolTestContext.HostName).SendAsync(since, CancellationToken.None);

        Assert.Equal(2, ids.Count);
        var digests = new Dictionary<string, (QueueEntry Entry, string Text)>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var entry = (await ctx.Store.GetAsync(id, CancellationToken.None))!;
            await using var stream = await ctx.Store.OpenMessageAsync(id, CancellationToken.None);
            using var message = await MimeKit.MimeMessage.LoadAsync(stream);
            digests[Assert.Single(entry.Envelope.Recipients).Address] = (entry, message.TextBody ?? string.Empty);
            Assert.Null(entry.Envelope.From);
            Assert.Equal(QueuedEnvelope.NoticeOrigin, entry.Envelope.Origin);
            Assert.Equal(DsnNotify.Never, entry.Envelope.Recipients[0].Notify);
            Assert.Null(entry.Quarantine);
            Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        }

        var bob = digests["bob@example.test"].Text;
        Assert.Contains("2 message(s)", bob, StringComparison.Ordinal);
        Assert.Contains("id " + both, bob, StringComparison.Ordinal);
        Assert.Contains("id " + bobs, bob, StringComparison.Ordinal);
        Assert.Contains("subject: Prize \u00e9t\u00e9", bob, StringComparison.Ordinal);
        Assert.Contains("why:     spam score 12.0 reached the quarantine threshold 10.0", bob, StringComparison.Ordinal);
        Assert.DoesNotContain(old, bob, StringComparison.Ordinal);
        Assert.DoesNotContain(held, bob, StringComparison.Ordinal);
        var carol = digests["carol@example.test"].Text;
        Assert.Contains("id " + both, carol, StringComparison.Ordinal);
        Assert.DoesNotContain(bobs, carol, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_held_since_the_last_digest_sends_nothing()
    {
        await using var ctx = new SpoolTestContext();
        await QuarantineAsync(ctx, "old one", "bob@example.test");
        ctx.Time.Advance(TimeSpan.FromHours(1));
        var quarantine = new MessageQuarantine(ctx.Store, ctx.Time, NullLogger<MessageQuarantine>.Instance);

        Assert.Empty(await new QuarantineDigest(quarantine, ctx.Store, ctx.Time, SpoolTestContext.HostName).SendAsync(ctx.Time.GetUtcNow(), CancellationToken.None));
        Assert.Single(ctx.Files("messages"));
    }

    [Theory]
    [InlineData(null, "2026-11-23T06:59:00Z", false)]
    [InlineData(null, "2026-11-23T07:00:00Z", true)]
    [InlineData("2026-11-23T07:10:00Z", "2026-11-23T23:00:00Z", false)]
    [InlineData("2026-11-22T07:10:00Z", "2026-11-23T07:05:00Z", true)]
    [InlineData("2026-11-22T07:10:00Z", "2026-11-23T03:00:00Z", false)]
    public void The_digest_is_due_once_a_day_from_its_hour(string? last, string now, bool due)
    {
        Assert.Equal(due, QuarantineDigest.IsDue(
            last is null ? null : DateTimeOffset.Parse(last, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture),
            7));
    }

    private static async Task<string> QuarantineAsync(SpoolTestContext ctx, string subject, params string[] recipients)
    {
        var writer = (IInspectableMessageWriter)await ctx.Store.BeginAsync(SpoolTestContext.MakeEnvelope(recipients), CancellationToken.None);
        var message = Encoding.UTF8.GetBytes($"From: spammer@example.org\r\nTo: bob@example.test\r\nSubject: =?utf-8?q?{Uri.EscapeDataString(subject).Replace('%', '=')}?=\r\n\r\nbuy\r\n");
        await writer.WriteAsync(message, CancellationToken.None);
        var note = new QuarantineNote("spam", "spam score 12.0 reached the quarantine threshold 10.0") { Score = 12, Threshold = 10 };
        var reply = await writer.CompleteAsync(new MessageAmendment { Quarantine = note }, CancellationToken.None);
        await writer.DisposeAsync();
        return SpoolTestContext.QueueIdOf(reply);
    }
}
