using Gateway.Spam.Scanning;

namespace Gateway.Spam.Scoring;

/// <summary>
/// One message after the scorer's bounded parse, held so that what needs the network (URI block lists over its link
/// hosts) can run between the parse and the score without parsing twice.
/// </summary>
public sealed class SpamScan
{
    internal SpamScan(ScannedMessage message)
    {
        Message = message;
        LinkHosts = message.Links.Select(l => l.Host).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Host names of the message's links, lower-case, each once, in the order they appear (at most the scanner's link bound).</summary>
    public IReadOnlyList<string> LinkHosts { get; }

    internal ScannedMessage Message { get; }
}
