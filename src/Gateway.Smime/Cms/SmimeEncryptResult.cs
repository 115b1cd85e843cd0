namespace Gateway.Smime.Cms;

public enum SmimeContentEncryption
{
    /// <summary>EnvelopedData with AES-256-CBC (RFC 5652 6, RFC 3565).</summary>
    Aes256Cbc,

    /// <summary>AuthEnvelopedData with AES-256-GCM (RFC 5083, RFC 5084, RFC 8551 2.7).</summary>
    Aes256Gcm,
}

public enum SmimeKeyTransport
{
    RsaPkcs1,
    RsaOaep,
    EcdhAesWrap,
}

/// <summary>What was chosen, per message and per recipient, so the pipeline can log and test it.</summary>
public sealed record SmimeEncryptResult(SmimeContentEncryption ContentEncryption, IReadOnlyList<SmimeKeyTransport> KeyTransports);
