namespace Gateway.Delivery.Client;

/// <summary>A connection ready for mail, or why there is none (the text and RFC 3463 code of the deferral).</summary>
internal readonly record struct ConnectResult(SmtpConnection? Connection, string Error, string EnhancedCode)
{
    public static ConnectResult Ready(SmtpConnection connection) => new(connection, string.Empty, string.Empty);

    public static ConnectResult Failed(string error, string enhancedCode) => new(null, error, enhancedCode);
}
