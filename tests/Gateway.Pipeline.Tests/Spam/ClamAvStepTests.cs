using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Policy;
using Gateway.Spam.Tests.Attachments;
using Gateway.Testing;
using Gateway.Testing.Peers;

namespace Gateway.Pipeline.Tests.Spam;

/// <summary>
/// Virus scanning against a real clamd (started per test with a signature database made at test time): EICAR is
/// refused with 554 and never delivered, a clean message is marked, and a clamd that is stopped or silent means 451
/// (tempfail) or delivery with a field, a warning and a metric (accept).
/// </summary>
public sealed class ClamAvStepTests
{
    private static SpamPolicy Spam(ClamAvPolicy clamav) => new() { Default = new SpamDomainPolicy { Action = SpamAction.Tag }, ClamAv = clamav };

    private static ClamAvPolicy Tcp(IPEndPoint endPoint, ScannerFailureAction onFailure = ScannerFailureAction.TempFail) =>
        new() { Endpoint = new HostEndpoint(endPoint.Address.ToString(), endPoint.Port), OnFailure = onFailure, Timeout = TimeSpan.FromSeconds(5) };

    private static string WithEicar(string subject = "invoice") =>
        Encoding.ASCII.GetString(TestZips.Message(("eicar.com", Clamd.Eicar)))
            .Replace("Subject: files", "Subject: " + subject, StringComparison.Ordinal);

    [Fact]
    public async Task Eicar_is_refused_with_554_over_tcp_and_the_unix_socket()
    {
        var clock = Stopwatch.StartNew();
        await using var clamd = await Clamd.StartAsync();
        var started = clock.Elapsed;

        foreach (var policy in new[] { Tcp(clamd.EndPoint), new ClamAvPolicy { SocketPath = clamd.SocketPath } })
        {
            var harness = new ScannerHarness(Spam(policy));

            var reply = await harness.SendAsync(WithEicar());

            Assert.Equal(554, reply.Code);
            Assert.Equal("5.7.1", reply.EnhancedCode);
            Assert.StartsWith("Message rejected: virus found (" + Clamd.EicarSignature, reply.Lines[0], StringComparison.Ordinal);
            Assert.EndsWith(".UNOFFICIAL)", reply.Lines[0], StringComparison.Ordinal);
            Assert.Null(harness.Acceptor.Writer.Amendment);
            Assert.Equal(["detected clamav/virus"], harness.Metrics.Events);
            Assert.Contains(harness.Logger.Entries, e => e.EventId == 3162 && e.Message.Contains(Clamd.EicarSignature, StringComparison.Ordinal));
        }

        // clamd with a tiny database is up in well under a second; a generous bound for a loaded machine.
        Assert.True(started < TimeSpan.FromSeconds(10), $"clamd took {started} to start");
    }

    [Fact]
    public async Task With_virus_action_quarantine_eicar_is_accepted_but_held_with_its_signature_never_delivered()
    {
        await using var clamd = await Clamd.StartAsync();
        var harness = new ScannerHarness(Spam(Tcp(clamd.EndPoint) with { VirusAction = VirusAction.Quarantine }));

        var reply = await harness.SendAsync(WithEicar());

        Assert.Equal(250, reply.Code);
        var note = harness.Acceptor.Writer.Amendment!.Quarantine!;
        Assert.Equal("clamav", note.Source);
        Assert.StartsWith("virus " + Clamd.EicarSignature, note.Reason, StringComparison.Ordinal);
        Assert.Single(note.Tests, t => t.StartsWith("VIRUS=" + Clamd.EicarSignature, StringComparison.Ordinal));
        Assert.Equal(["detected clamav/virus"], harness.Metrics.Events);
    }

    [Fact]
    public async Task Eicar_inside_a_zip_is_found_too()
    {
        await using var clamd = await Clamd.StartAsync();
        var harness = new ScannerHarness(Spam(Tcp(clamd.EndPoint)));
        var message = Encoding.ASCII.GetString(TestZips.Message(("test.zip", TestZips.Zip(("eicar.com", Clamd.Eicar)))));

        var reply = await harness.SendAsync(message);

        Assert.Equal(554, reply.Code);
    }

    [Fact]
    public async Task A_clean_message_passes_marked_and_a_forged_mark_is_dropped()
    {
        await using var clamd = await Clamd.StartAsync();
        var harness = new ScannerHarness(Spam(Tcp(clamd.EndPoint)));

        var reply = await harness.SendAsync(ScannerHarness.Message("hello", extraHeaders: "X-Virus-Scanned: clamav; clean\r\n"));

        Assert.Equal(250, reply.Code);
        Assert.Single(harness.Delivered.Split("\r\n"), l => l.StartsWith("X-Virus-Scanned:", StringComparison.Ordinal));
        Assert.Contains("X-Virus-Scanned: clamav; clean\r\n", harness.Delivered, StringComparison.Ordinal);
        Assert.Empty(harness.Metrics.Events);
    }

    [Fact]
    public async Task A_stopped_clamd_means_451_with_tempfail_and_a_marked_delivery_with_accept()
    {
        await using var clamd = await Clamd.StartAsync();
        await clamd.StopAsync();

        var tempfail = new ScannerHarness(Spam(Tcp(clamd.EndPoint, ScannerFailureAction.TempFail)));
        var refused = await tempfail.SendAsync(WithEicar());
        var accept = new ScannerHarness(Spam(Tcp(clamd.EndPoint, ScannerFailureAction.Accept)));
        var accepted = await accept.SendAsync(ScannerHarness.Message("hello"));
        var socket = new ScannerHarness(Spam(new ClamAvPolicy { SocketPath = clamd.SocketPath }));
        var viaSocket = await socket.SendAsync(ScannerHarness.Message("hello"));

        Assert.Equal(451, refused.Code);
        Assert.Equal("4.7.1", refused.EnhancedCode);
        Assert.Equal("Virus scanner unavailable, try again later", refused.Lines[0]);
        Assert.Equal(["failed clamav/tempfail"], tempfail.Metrics.Events);
        Assert.Equal(250, accepted.Code);
        Assert.Contains("X-Virus-Scanned: clamav; unavailable, not scanned\r\n", accept.Delivered, StringComparison.Ordinal);
        Assert.Equal(["failed clamav/accept"], accept.Metrics.Events);
        Assert.Contains(accept.Logger.Entries, e => e.EventId == 3164 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(451, viaSocket.Code);

        // Back up, scanning again.
        await clamd.ResumeAsync();
        Assert.Equal(554, (await new ScannerHarness(Spam(Tcp(clamd.EndPoint))).SendAsync(WithEicar())).Code);
    }

    [Fact]
    public async Task A_clamd_that_never_answers_times_out_into_the_failure_policy()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var endPoint = (IPEndPoint)silent.LocalEndpoint;
        var accepted = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await silent.AcceptTcpClientAsync());
            }
        });
        var harness = new ScannerHarness(Spam(Tcp(endPoint) with { Timeout = TimeSpan.FromSeconds(1) }));
        var clock = Stopwatch.StartNew();

        var reply = await harness.SendAsync(ScannerHarness.Message("hello"));

        Assert.Equal(451, reply.Code);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Contains(harness.Logger.Entries, e => e.EventId == 3164 && e.Message.Contains("no answer within 1 s", StringComparison.Ordinal));
        silent.Stop();
        foreach (var client in accepted)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task A_message_over_max_size_is_not_sent_and_says_so()
    {
        var harness = new ScannerHarness(Spam(Tcp(new IPEndPoint(IPAddress.Loopback, FreePort.Next())) with { MaxSize = 1024 }));

        var reply = await harness.SendAsync(ScannerHarness.Message("big", new string('x', 2000)));

        Assert.Equal(250, reply.Code);
        Assert.Contains("X-Virus-Scanned: clamav; skipped (larger than 1024 octets)\r\n", harness.Delivered, StringComparison.Ordinal);
        Assert.Equal(["skipped clamav/too_large"], harness.Metrics.Events);
    }
}
