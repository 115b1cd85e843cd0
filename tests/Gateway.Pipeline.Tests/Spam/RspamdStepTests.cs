using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Policy;
using Gateway.Testing;
using Gateway.Testing.Peers;

namespace Gateway.Pipeline.Tests.Spam;

/// <summary>One real rspamd for the tests of this class (its start costs a second or two).</summary>
public sealed class RspamdFixture : IAsyncLifetime
{
    public Rspamd Rspamd { get; private set; } = null!;

    public async Task InitializeAsync() => Rspamd = await Rspamd.StartAsync();

    public async Task DisposeAsync() => await Rspamd.DisposeAsync();
}

/// <summary>
/// rspamd as a second opinion against a real rspamd (normal worker only, temp config, no network lookups): its
/// score is merged into ours with the policy's weight and caps, its action never decides, and an rspamd that is down
/// or silent means 451 (tempfail) or a marked delivery with a warning and a metric (accept).
/// </summary>
public sealed class RspamdStepTests(RspamdFixture fixture) : IClassFixture<RspamdFixture>
{
    private SpamPolicy Spam(Func<RspamdPolicy, RspamdPolicy>? change = null, SpamAction action = SpamAction.Tag)
    {
        var rspamd = new RspamdPolicy { Url = fixture.Rspamd.Url, Timeout = TimeSpan.FromSeconds(10) };
        return new SpamPolicy { Default = new SpamDomainPolicy { Action = action }, Rspamd = change is null ? rspamd : change(rspamd) };
    }

    [Fact]
    public async Task Its_score_is_a_reason_in_our_verdict()
    {
        var harness = new ScannerHarness(Spam());

        var reply = await harness.SendAsync(ScannerHarness.Message("rspamd-spam offer"));

        Assert.Equal(250, reply.Code);
        Assert.Contains("X-Spam-Status: Yes, score=6.5 required=5.0 tests=RSPAMD=6.5\r\n", harness.Delivered, StringComparison.Ordinal);
        var line = Assert.Single(harness.Logger.Entries, e => e.EventId == 3166).Message;
        Assert.Contains("GW_TEST_SPAM", line, StringComparison.Ordinal);
        Assert.Contains("action add header", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Weight_and_caps_hold_its_points()
    {
        var weighted = new ScannerHarness(Spam(r => r with { Weight = 0.5 }));
        var capped = new ScannerHarness(Spam(r => r with { MaxScore = 3 }));
        var ham = new ScannerHarness(Spam());
        var vouching = new ScannerHarness(Spam(r => r with { MinScore = -2 }));

        await weighted.SendAsync(ScannerHarness.Message("rspamd-spam"));
        await capped.SendAsync(ScannerHarness.Message("rspamd-reject"));
        await ham.SendAsync(ScannerHarness.Message("rspamd-ham"));
        await vouching.SendAsync(ScannerHarness.Message("rspamd-ham"));

        Assert.Contains("score=3.3 required=5.0 tests=RSPAMD=6.5", weighted.Delivered, StringComparison.Ordinal);
        Assert.Contains("score=3.0 required=5.0 tests=RSPAMD=20", capped.Delivered, StringComparison.Ordinal);
        Assert.Contains("score=0.0 required=5.0 tests=RSPAMD=-5", ham.Delivered, StringComparison.Ordinal);
        Assert.Contains("score=-2.0 required=5.0 tests=RSPAMD=-5", vouching.Delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Its_reject_action_does_not_bypass_our_policy()
    {
        // rspamd says reject (20 points, its threshold 15); our policy only tags, so the message is delivered, tagged.
        var tagging = new ScannerHarness(Spam());
        var delivering = new ScannerHarness(Spam(action: SpamAction.Deliver));
        var rejecting = new ScannerHarness(Spam(action: SpamAction.Reject));

        Assert.Equal(250, (await tagging.SendAsync(ScannerHarness.Message("rspamd-reject"))).Code);
        Assert.Equal(250, (await delivering.SendAsync(ScannerHarness.Message("rspamd-reject"))).Code);
        Assert.Equal(550, (await rejecting.SendAsync(ScannerHarness.Message("rspamd-reject"))).Code);
        Assert.Contains("X-Spam-Flag: YES", tagging.Delivered, StringComparison.Ordinal);
        Assert.Contains(tagging.Logger.Entries, e => e.EventId == 3166 && e.Message.Contains("action reject", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_envelope_goes_with_the_message()
    {
        // The test rule scores only when client address, HELO, sender, both recipients and the queue id arrived.
        var harness = new ScannerHarness(Spam());

        await harness.SendAsync(ScannerHarness.Message("hello"), "bob@example.test", "carol@ours.test");

        Assert.Contains("tests=RSPAMD=0.25\r\n", harness.Delivered, StringComparison.Ordinal);
        Assert.Contains(harness.Logger.Entries, e => e.EventId == 3166 && e.Message.Contains("GW_TEST_ENVELOPE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_rspamd_that_is_down_means_451_with_tempfail_and_a_marked_delivery_with_accept()
    {
        var closed = new Uri($"http://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}/");
        var tempfail = new ScannerHarness(Spam(r => r with { Url = closed, OnFailure = ScannerFailureAction.TempFail }));
        var accept = new ScannerHarness(Spam(r => r with { Url = closed, OnFailure = ScannerFailureAction.Accept }));

        var refused = await tempfail.SendAsync(ScannerHarness.Message("hello"));
        var accepted = await accept.SendAsync(ScannerHarness.Message("hello"));

        Assert.Equal(451, refused.Code);
        Assert.Equal("4.7.1", refused.EnhancedCode);
        Assert.Equal("Spam scanner unavailable, try again later", refused.Lines[0]);
        Assert.Equal(["failed rspamd/tempfail"], tempfail.Metrics.Events);
        Assert.Equal(250, accepted.Code);
        Assert.Contains("X-Spam-Rspamd: unavailable, not scanned\r\n", accept.Delivered, StringComparison.Ordinal);
        Assert.Equal(["failed rspamd/accept"], accept.Metrics.Events);
        Assert.Contains(accept.Logger.Entries, e => e.EventId == 3164);
    }

    [Fact]
    public async Task A_silent_or_nonsense_answer_is_a_failure_too()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var nonsense = true;
        var serving = Task.Run(async () =>
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync();
                if (!nonsense)
                {
                    continue; // silent: never answers
                }

                var stream = client.GetStream();
                var request = new byte[64 * 1024];
                if (await stream.ReadAsync(request) == 0)
                {
                    client.Dispose();
                    continue;
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot json!"));
                client.Dispose();
            }
        });

        var garbled = new ScannerHarness(Spam(r => r with { Url = url, OnFailure = ScannerFailureAction.TempFail }));
        Assert.Equal(451, (await garbled.SendAsync(ScannerHarness.Message("hello"))).Code);
        Assert.Contains(garbled.Logger.Entries, e => e.EventId == 3164 && e.Message.Contains("not JSON", StringComparison.Ordinal));

        nonsense = false;
        var silent = new ScannerHarness(Spam(r => r with { Url = url, Timeout = TimeSpan.FromSeconds(1), OnFailure = ScannerFailureAction.Accept }));
        Assert.Equal(250, (await silent.SendAsync(ScannerHarness.Message("hello"))).Code);
        Assert.Contains(silent.Logger.Entries, e => e.EventId == 3164 && e.Message.Contains("no answer within 1 s", StringComparison.Ordinal));
        listener.Stop();
    }

    [Fact]
    public void Rspamd_starts_in_reasonable_time()
    {
        Assert.True(fixture.Rspamd.StartTime < TimeSpan.FromSeconds(60), $"rspamd took {fixture.Rspamd.StartTime} to start");
    }
}
