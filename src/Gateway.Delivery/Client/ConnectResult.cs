namespace Gateway.Delivery.Client;

/// <summary>A connection ready for mail, or why there is none (the text and RFC 3463 code of the deferral).</summary>
internal readonly record struct ConnectResult(SmtpConnection? Connection, string Error, string EnhancedCode)
{
    /// <summary>The TLS handshake failed on a hop whose requirement allows plaintext: a new connection without STARTTLS may deliver.</summary>
    public bool RetryWithoutTls { get; init; }

    public static ConnectResult Ready(SmtpConnection connection) => new(connection, string.Empty, string.Empty);

    public static ConnectResult Failed(string error, string enhancedCode) => new(null, error, enhancedCode);
}
