using System.Text;

namespace Gateway.Testing.Peers;

/// <summary>
/// One smtp-sink dump: its envelope records (X-Mail-Args, X-Rcpt-Args...), then its own three-line Received
/// header, then the message with LF line ends, then one empty line.
/// </summary>
/// <param name="EnvelopeLines">The X- records, e.g. "X-Mail-Args: &lt;a@b&gt; BODY=8BITMIME".</param>
/// <param name="Message">The message as received, line ends as LF (the sink's dump format).</param>
/// <param name="Text">The whole dump as UTF-8 text, for assertions on content.</param>
public sealed record SinkMessage(IReadOnlyList<string> EnvelopeLines, byte[] Message, string Text)
{
    /// <summary>The MAIL arguments ("&lt;a@b&gt; SIZE=10 BODY=8BITMIME").</summary>
    public string MailArgs => EnvelopeLines.Single(l => l.StartsWith("X-Mail-Args: ", StringComparison.Ordinal))["X-Mail-Args: ".Length..];

    /// <summary>The RCPT arguments, one per recipient in the order sent.</summary>
    public IReadOnlyList<string> RcptArgs =>
        EnvelopeLines.Where(l => l.StartsWith("X-Rcpt-Args: ", StringComparison.Ordinal)).Select(l => l["X-Rcpt-Args: ".Length..]).ToList();

    /// <summary>A dump is written from the start of a transaction: without recipients and a header/body separator it is not a message (yet).</summary>
    public static bool IsComplete(byte[] dump) =>
        dump.AsSpan().IndexOf("X-Rcpt-Args:"u8) >= 0 && dump.AsSpan().IndexOf("\n\n"u8) >= 0;

    public static SinkMessage Parse(byte[] dump)
    {
        ArgumentNullException.ThrowIfNull(dump);
        var envelope = new List<string>();
        var offset = 0;
        while (true)
        {
            var end = Array.IndexOf(dump, (byte)'\n', offset);
            var line = Encoding.UTF8.GetString(dump, offset, end - offset);
            offset = end + 1;
            if (line.StartsWith("X-", StringComparison.Ordinal))
            {
                envelope.Add(line);
                continue;
            }

            // The sink's Received header and its continuation lines.
            while (dump[offset] is (byte)' ' or (byte)'\t')
            {
                offset = Array.IndexOf(dump, (byte)'\n', offset) + 1;
            }

            break;
        }

        var message = dump[offset..];
        if (message.Length > 0 && message[^1] == '\n')
        {
            message = message[..^1];
        }

        return new SinkMessage(envelope, message, Encoding.UTF8.GetString(dump));
    }
}
