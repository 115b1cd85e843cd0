namespace Gateway.Spam.Scanning;

/// <summary>
/// The text parts joined into <see cref="ScannedMessage.BodyText"/>, each followed by a line break: the parts are kept
/// as they are and copied once into a string of the final length, where a StringBuilder would copy them into growing
/// chunks first (twice the text again, per message).
/// </summary>
internal sealed class BodyTextBuilder
{
    private readonly List<string> _parts = [];

    /// <summary>Characters so far, line breaks included.</summary>
    public int Length { get; private set; }

    /// <summary>Adds at most <paramref name="maxChars"/> characters of <paramref name="text"/>, then a line break.</summary>
    public void Append(string text, int maxChars)
    {
        var part = text.Length <= maxChars ? text : text[..maxChars];
        _parts.Add(part);
        Length += part.Length + 1;
    }

    public override string ToString() =>
        _parts.Count == 0
            ? string.Empty
            : string.Create(Length, _parts, static (span, parts) =>
            {
                foreach (var part in parts)
                {
                    part.CopyTo(span);
                    span[part.Length] = '\n';
                    span = span[(part.Length + 1)..];
                }
            });
}
