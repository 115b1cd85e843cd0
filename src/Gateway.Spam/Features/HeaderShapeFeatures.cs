using Gateway.Spam.Scanning;
using MimeKit;
using MimeKit.Utils;

namespace Gateway.Spam.Features;

/// <summary>
/// Whether the fields a mail program writes look as one would write them: a Date and Message-ID present and in the
/// shape the program gives them, a Reply-To that sends answers to the sender, a To that is not the sender. Bulk-mail
/// software forges these fields, or leaves them out, the same way in every campaign. (The Date against the newest
/// Received time was tried too: on the 2002 sets it made newer mail rank worse, so it is not a feature.)
/// </summary>
internal static class HeaderShapeFeatures
{
    public static void Add(IReadOnlyList<HeaderText> headers, TokenSink sink)
    {
        string? date = null, messageId = null, from = null, replyTo = null, to = null;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Date", StringComparison.OrdinalIgnoreCase))
            {
                date ??= value;
            }
            else if (name.Equals("Message-ID", StringComparison.OrdinalIgnoreCase))
            {
                messageId ??= value;
            }
            else if (name.Equals("From", StringComparison.OrdinalIgnoreCase))
            {
                from ??= value;
            }
            else if (name.Equals("Reply-To", StringComparison.OrdinalIgnoreCase))
            {
                replyTo ??= value;
            }
            else if (name.Equals("To", StringComparison.OrdinalIgnoreCase))
            {
                to ??= value;
            }
        }

        if (to is null)
        {
            sink.Add("hs:to:none");
        }
        else if (Address(to) is { } toAddress && toAddress == Address(from))
        {
            // Sent to its own sender, the real recipients hidden in the envelope: one bulk send for many.
            sink.Add("hs:to:from");
        }

        AddDate(date, sink);
        AddMessageId(messageId, sink, headers);
        AddReplyTo(from, replyTo, sink);
    }

    private static void AddDate(string? date, TokenSink sink)
    {
        if (date is null)
        {
            sink.Add("hs:date:none");
            return;
        }

        // The layout, not the time: "Aa, d Aa d d:d:d -d" is what most clients write; a forged Date often differs.
        sink.Add("hs:date:shape:", HeaderFeatures.Shape(date.AsSpan().Trim()));
        if (!DateUtils.TryParse(date, out _))
        {
            sink.Add("hs:date:unreadable");
        }
    }

    private static void AddMessageId(string? messageId, TokenSink sink, IReadOnlyList<HeaderText> headers)
    {
        if (messageId is null)
        {
            sink.Add("hs:mid:none");
            return;
        }

        var id = messageId.AsSpan().Trim();
        if (id.Length < 2 || id[0] != '<' || id[^1] != '>')
        {
            sink.Add("hs:mid:unbracketed");
        }

        var at = id.LastIndexOf('@');
        if (at >= 0 && HeaderFeatures.IsRelayHost(headers, id[(at + 1)..].TrimEnd('>').Trim()))
        {
            // A relay on the way wrote the id: the sending program wrote none, as bulk-mail software often does not.
            // Its layout is the relay's habit, so no shape.
            sink.Add("hs:mid:by-relay");
            return;
        }

        // The local part's layout ("d.d.Aa", "Ad$d") is the writing program's habit, not the message's identity.
        sink.Add("hs:mid:shape:", at < 0 ? "no-at" : HeaderFeatures.Shape(id[..at].TrimStart('<')));

    }

    private static void AddReplyTo(string? from, string? replyTo, TokenSink sink)
    {
        if (replyTo is null)
        {
            return;
        }

        var fromAddress = Address(from);
        var replyAddress = Address(replyTo);
        sink.Add("hs:reply-to:", fromAddress is null || replyAddress is null ? "unreadable"
            : fromAddress == replyAddress ? "same"
            : Domain(fromAddress) == Domain(replyAddress) ? "same-domain"
            : "other");
    }

    private static string? Address(string? value) =>
        value is not null && InternetAddressList.TryParse(value, out var list) && list.Mailboxes.FirstOrDefault() is { } mailbox
            ? mailbox.Address.ToLowerInvariant()
            : null;

    private static string Domain(string address) => HeaderFeatures.LastLabels(address[(address.LastIndexOf('@') + 1)..], 2);
}
