namespace Gateway.Spam.Scanning;

/// <summary>One top-level header field, unfolded and with encoded-words decoded.</summary>
internal readonly record struct HeaderText(string Name, string Value);
