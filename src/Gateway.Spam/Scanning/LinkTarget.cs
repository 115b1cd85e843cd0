namespace Gateway.Spam.Scanning;

/// <summary>Where a link in the message points: its lower-case host and its path (without query), and how it is dressed.</summary>
internal readonly record struct LinkTarget(string Host, string Path, LinkDisguise Disguise = LinkDisguise.None);
