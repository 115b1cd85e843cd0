using System.Text;

namespace Gateway.Authentication.Results;

/// <summary>
/// One header field found in a raw header section: byte offsets of the whole field (folded continuation lines
/// and the line terminator included), of the end of its name and of the start of its value.
/// </summary>
/// <param name="Start">Offset of the first byte of the field.</param>
/// <param name="End">Offset just past the field's final line terminator (or the end of the input).</param>
/// <param name="NameEnd">Offset just past the name (trailing WSP before the colon excluded); equal to
/// <paramref name="Start"/> when the line is not a well-formed field (no colon, empty or invalid name).</param>
/// <param name="ValueStart">Offset just past the colon (equal to <paramref name="End"/> when there is none).</param>
internal readonly record struct HeaderFieldRange(int Start, int End, int NameEnd, int ValueStart)
{
    /// <summary>False for a line that is not "name: value" (RFC 5322 2.2: name is printable ASCII except ':').</summary>
    public bool HasName => NameEnd > Start;

    public Range Range => Start..End;

    public bool NameEquals(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> name) =>
        HasName && Ascii.EqualsIgnoreCase(headers[Start..NameEnd], name);

    public ReadOnlySpan<byte> Value(ReadOnlySpan<byte> headers) => headers[ValueStart..End];
}
