namespace Gateway.Smime.Cms;

/// <summary>
/// What a recipient can decrypt, as advertised in their signature's smimeCapabilities (harvested with the
/// certificate) or asserted by policy.
/// </summary>
public sealed record RecipientCapabilities(bool Aes256Gcm, bool RsaOaep)
{
    public static RecipientCapabilities None { get; } = new(false, false);
}
