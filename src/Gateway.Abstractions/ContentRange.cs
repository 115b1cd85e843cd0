namespace Gateway.Abstractions;

/// <summary>A run of bytes in a message's content: where it starts and how long it is.</summary>
public readonly record struct ContentRange(long Offset, long Length)
{
    public long End => Offset + Length;
}
