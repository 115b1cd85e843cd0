namespace Gateway.Smime.Ca;

/// <summary>A CRL just written: where, its CRL number, its validity and how many certificates it lists.</summary>
public sealed record CrlInfo(string Path, long Number, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, int RevokedCount);
