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
}
