using Gateway.Spam.Scanning;
using MimeKit;

namespace Gateway.Spam.Features;

/// <summary>
/// Whether the parts of a message that a sender controls agree on who the sender is: the From domain against the
/// Message-ID's domain and the domains the links point to. A legitimate bulk sender (a shop's newsletter) writes
/// ids and links under its own name; bulk-mail software forges the From and links elsewhere. Agreement, unlike
/// any one domain, does not go stale when the campaigns change.
/// </summary>
internal static class AlignmentFeatures
{
    public static void Add(ScannedMessage message, TokenSink sink)
    {
        var from = FromDomain(message.Headers);
        if (from is null)
        {
            sink.Add("al:from:none");
            return;
        }

        var messageId = message.Headers.FirstOrDefault(h => h.Name.Equals("Message-ID", StringComparison.OrdinalIgnoreCase)).Value;
        var at = messageId?.LastIndexOf('@') ?? -1;
        sink.Add("al:mid:", messageId is null ? "none" : at < 0 ? "no-at" : Compare(from, messageId[(at + 1)..].Trim().TrimEnd('>')));

        // Mail a sender's own servers handed on names them in its Received fields; a forged From is relayed by strangers.
        sink.Add("al:rcvd:", HeaderFeatures.RelayedFrom(message.Headers, from) ? "same" : "other");

        if (message.Links.Count > 0)
        {
            var aligned = message.Links.Count(l => HeaderFeatures.LastLabels(l.Host, 2) == from);
            sink.Add("al:links:", aligned == 0 ? "none" : aligned == message.Links.Count ? "all" : "some");
        }
    }

    private static string? FromDomain(IReadOnlyList<HeaderText> headers)
    {
        foreach (var (name, value) in headers)
        {
            if (name.Equals("From", StringComparison.OrdinalIgnoreCase)
                && InternetAddressList.TryParse(value, out var list) && list.Mailboxes.FirstOrDefault() is { } mailbox)
            {
                var at = mailbox.Address.LastIndexOf('@');
                return at < 0 ? null : HeaderFeatures.LastLabels(mailbox.Address[(at + 1)..].ToLowerInvariant(), 2);
            }
        }

        return null;
    }

    private static string Compare(string from, string domain) =>
        HeaderFeatures.LastLabels(domain.ToLowerInvariant(), 2) == from ? "same" : "other";
}
