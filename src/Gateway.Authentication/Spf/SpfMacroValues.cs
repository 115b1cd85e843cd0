namespace Gateway.Authentication.Spf;

/// <summary>The values the macro letters stand for in one expansion (RFC 7208 7.2).</summary>
internal readonly record struct SpfMacroValues(
    string Sender,
    string LocalPart,
    string SenderDomain,
    string Domain,
    string IpDotted,
    string ValidatedName,
    string IpVersion,
    string Helo,
    string ClientReadable,
    string ReceivingHost,
    string Timestamp)
{
    public string Get(char letter) => letter switch
    {
        's' => Sender,
        'l' => LocalPart,
        'o' => SenderDomain,
        'd' => Domain,
        'i' => IpDotted,
        'p' => ValidatedName,
        'v' => IpVersion,
        'h' => Helo,
        'c' => ClientReadable,
        'r' => ReceivingHost,
        't' => Timestamp,
        _ => throw new ArgumentOutOfRangeException(nameof(letter), letter, "not a macro letter"),
    };
}
