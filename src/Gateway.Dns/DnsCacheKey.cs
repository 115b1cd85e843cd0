namespace Gateway.Dns;

/// <summary>One question as the cache knows it: the record type (its RFC 1035 TYPE value) and the normalized name.</summary>
internal readonly record struct DnsCacheKey(int Type, string Name);
