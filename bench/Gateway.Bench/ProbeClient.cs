using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Bench;

/// <summary>
/// One extra SMTP session held next to the load: sends a message every interval and times the server's
/// answer to the final "." (RFC 5321 4.1.1.4), i.e. how long the server takes to make a message its own
/// while it is busy. Plain, unpipelined commands; every read is bounded.
/// </summary>
internal sealed class ProbeClient : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly SmtpReplyReader _replies;

    private ProbeClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _replies = new SmtpReplyReader(_stream);
    }

    public static async Task<ProbeClient> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        var probe = new ProbeClient(client);
        try
        {
            await probe.ExpectAsync("220", cancellationToken).ConfigureAwait(false);
            await probe.CommandAsync("EHLO probe.example", "250", cancellationToken).ConfigureAwait(false);
            return probe;
        }
        catch
        {
            probe.Dispose();
            throw;
        }
    }

    /// <summary>A 5 KiB message body (dot-safe, CRLF lines, ends with CRLF) the probe sends each time.</summary>
    public static byte[] Message(string to, int bodyLength)
    {
        var text = new StringBuilder();
        text.Append("From: <probe@example.org>\r\n");
        text.Append(CultureInfo.InvariantCulture, $"To: <{to}>\r\n");
        text.Append("Subject: latency probe\r\n\r\n");
        var line = new string('x', 78) + "\r\n";
        while (bodyLength > 0)
        {
            text.Append(line);
            bodyLength -= line.Length;
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>
    /// Sends one message; returns the milliseconds from writing the final "." to the 250 reply, or null when
    /// the server refused it at any step (the transaction is then reset).
    /// </summary>
    public async Task<double?> SendAsync(string from, string to, byte[] message, CancellationToken cancellationToken)
    {
        if (!await TryCommandAsync($"MAIL FROM:<{from}>", "250", cancellationToken).ConfigureAwait(false)
            || !await TryCommandAsync($"RCPT TO:<{to}>", "250", cancellationToken).ConfigureAwait(false)
            || !await TryCommandAsync("DATA", "354", cancellationToken).ConfigureAwait(false))
        {
            await CommandAsync("RSET", "250", cancellationToken).ConfigureAwait(false);
            return null;
        }

        await _stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        await _stream.WriteAsync(".\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        var reply = await _replies.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return reply.StartsWith("250", StringComparison.Ordinal) ? elapsed : null;
    }

    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        await CommandAsync("QUIT", "221", cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _client.Dispose();

    private async Task CommandAsync(string command, string expected, CancellationToken cancellationToken)
    {
        if (!await TryCommandAsync(command, expected, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"probe: {command} was refused");
        }
    }

    private async Task<bool> TryCommandAsync(string command, string expected, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken).ConfigureAwait(false);
        var reply = await _replies.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        return reply.StartsWith(expected, StringComparison.Ordinal);
    }

    private async Task ExpectAsync(string expected, CancellationToken cancellationToken)
    {
        var reply = await _replies.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        if (!reply.StartsWith(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"probe: expected {expected}, got '{reply}'");
        }
    }
}
