namespace Gateway.Smime.Cms;

public enum SmimeSignatureForm
{
    /// <summary>multipart/signed (RFC 8551 3.5.3): readable by clients without S/MIME.</summary>
    Detached,

    /// <summary>application/pkcs7-mime; smime-type=signed-data (RFC 8551 3.5.2): survives gateways that rewrite text.</summary>
    Opaque,
}

public sealed record SmimeSignOptions
{
    public SmimeSignatureForm Form { get; init; } = SmimeSignatureForm.Detached;

    public static SmimeSignOptions Default { get; } = new();
}
