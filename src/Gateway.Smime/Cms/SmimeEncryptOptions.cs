namespace Gateway.Smime.Cms;

public sealed record SmimeEncryptOptions
{
    /// <summary>Policy asserts every recipient reads AES-256-GCM AuthEnvelopedData, whatever they advertised.</summary>
    public bool AssumeAuthEnveloped { get; init; }

    /// <summary>Policy asks for RSA-OAEP key transport for every RSA recipient.</summary>
    public bool PreferRsaOaep { get; init; }

    public static SmimeEncryptOptions Default { get; } = new();
}
