using System.Net;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests.Fixtures;

/// <summary>Sends one message over a raw SMTP session and returns the reply to the end of DATA.</summary>
public static class Mail
{
    public static async Task<SmtpResponse> SendAsync(IPEndPoint gateway, string from, IReadOnlyList<string> to, string messageId, string body = "hello\r\n", string? extraHeaders = null)
    {
        var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(gateway);
        await using var _ = client;
        if (greeting.Code != 220)
        {
            return greeting;
        }

        await client.CommandAsync("EHLO client.example.org");
        var mail = await client.CommandAsync($"MAIL FROM:<{from}>");
        if (mail.Code != 250)
        {
            return mail;
        }

        var accepted = 0;
        foreach (var rcpt in to)
        {
            if ((await client.CommandAsync($"RCPT TO:<{rcpt}>")).Code == 250)
            {
                accepted++;
            }
        }

        var data = await client.CommandAsync("DATA");
        if (data.Code != 354)
        {
            return data;
        }

        var reply = await client.CommandAsync(
            $"From: <{from}>\r\nTo: <{to[0]}>\r\nSubject: test {messageId}\r\nMessage-ID: <{messageId}>\r\n{extraHeaders}\r\n{body}.");
        await client.SendRawAsync("QUIT\r\n");
        return reply;
    }

    /// <summary>
    /// Sends a complete message (headers and body as given) for one recipient, asserting every step up to DATA,
    /// and returns the reply to the end of DATA.
    /// </summary>
    public static async Task<SmtpResponse> SendMessageAsync(IPEndPoint gateway, string from, string to, string message)
    {
        var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(gateway);
        await using var _ = client;
        Assert.Equal(220, greeting.Code);
        Assert.Equal(250, (await client.CommandAsync("EHLO client.sender.test")).Code);
        Assert.Equal(250, (await client.CommandAsync($"MAIL FROM:<{from}>")).Code);
        Assert.Equal(250, (await client.CommandAsync($"RCPT TO:<{to}>")).Code);
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        return await client.CommandAsync(message.TrimEnd('\r', '\n') + "\r\n.");
    }

    /// <summary>Policy YAML routing example.test (the protected domain of the test policy) to the sink.</summary>
    public static string RouteToSink(Gateway.Testing.Peers.SmtpSink sink) =>
        $"delivery:\n  routes:\n    example.test:\n      - host: {sink.EndPoint.Address}\n        port: {sink.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n";

    /// <summary>
    /// swaks as an internal server on the trusted address 127.0.0.2 relaying staff@example.test's mail to
    /// friend@remote.test; asserts it was accepted.
    /// </summary>
    public static async Task SwaksOutboundAsync(int smtpPort, string body)
    {
        var (exit, output) = await Gateway.Testing.Peers.ExternalTool.RunAsync(
            "swaks",
            [
                "--server", "127.0.0.1", "--port", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--local-interface", "127.0.0.2",
                "--from", "staff@example.test", "--to", "friend@remote.test", "--header", "Subject: signed by the gateway",
                "--header", "From: Staff <staff@example.test>", "--body", body,
            ],
            TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, output);
    }
}
