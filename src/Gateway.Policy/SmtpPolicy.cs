namespace Gateway.Policy;

/// <summary>SMTP dialogue options (smtp:).</summary>
public sealed record SmtpPolicy
{
    /// <summary>True: VRFY answers 252 (RFC 5321 3.5.3); false: 502 5.5.1.</summary>
    public bool VrfyEnabled { get; init; } = true;
}
