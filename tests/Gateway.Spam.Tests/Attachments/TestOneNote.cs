using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>
/// OneNote sections made at test time with the structures the scanner reads (MS-ONESTORE): the 1,024-octet file
/// header, length-prefixed UTF-16 strings as a property set stores them (an octet count: EmbeddedFileName,
/// SourceFilepath after their IDs, page text) and as a file data declaration stores its extension (a character count), and
/// FileDataStoreObjects (header GUID, 64-bit length, the file, padding to 8, footer GUID).
/// </summary>
internal sealed class TestOneNote
{
    private static readonly byte[] Signature = new Guid("7B5C52E4-D88C-4DA7-AEB1-5378D02996D3").ToByteArray();
    private static readonly byte[] FileFormat = new Guid("109ADD3F-911B-49F5-A5D0-1791EDC8AED8").ToByteArray();
    private static readonly byte[] DataHeader = new Guid("BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC").ToByteArray();
    private static readonly byte[] DataFooter = new Guid("71FBA722-0F79-4A0B-BB13-899256426B24").ToByteArray();

    private readonly MemoryStream _file = new();

    public TestOneNote()
    {
        var header = new byte[1024];
        Signature.CopyTo(header, 0);
        Guid.NewGuid().ToByteArray().CopyTo(header, 16);
        FileFormat.CopyTo(header, 48);
        _file.Write(header);
    }

    /// <summary>
    /// An embedded file node's property set: the count and IDs (EmbeddedFileContainer, EmbeddedFileName and, with
    /// <paramref name="sourcePath"/>, SourceFilepath), then the name and the path as octet-counted UTF-16.
    /// </summary>
    public TestOneNote FileName(string name, string? sourcePath = null)
    {
        uint[] ids = sourcePath is null ? [0x20001D9B, 0x1C001D9C] : [0x20001D9B, 0x1C001D9C, 0x1C001D9D];
        _file.Write([(byte)ids.Length, 0]);
        foreach (var id in ids)
        {
            Int32(id);
        }

        Text(name);
        return sourcePath is null ? this : Text(sourcePath);
    }

    /// <summary>A string property's value as page text (RichEditTextUnicode) stores it: its octet count, then UTF-16.</summary>
    public TestOneNote Text(string text)
    {
        var encoded = Encoding.Unicode.GetBytes(text);
        Int32((uint)encoded.Length);
        _file.Write(encoded);
        return this;
    }

    /// <summary>A StringInStorageBuffer: the character count, then the UTF-16 text (a file data declaration's extension).</summary>
    public TestOneNote Declared(string text)
    {
        Int32((uint)text.Length);
        _file.Write(Encoding.Unicode.GetBytes(text));
        return this;
    }

    /// <summary>An embedded file's FileDataStoreObject; <paramref name="claimed"/> overrides the length it declares.</summary>
    public TestOneNote Embedded(byte[] data, ulong? claimed = null)
    {
        _file.Write(DataHeader);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, claimed ?? (ulong)data.Length);
        _file.Write(length);
        _file.Write(new byte[12]);
        _file.Write(data);
        _file.Write(new byte[(8 - (data.Length % 8)) % 8]);
        _file.Write(DataFooter);
        return this;
    }

    /// <summary>Octets of the revision store around the strings and objects (file nodes, IDs), here zero or a pattern.</summary>
    public TestOneNote Filler(int length, byte value = 0)
    {
        _file.Write(Enumerable.Repeat(value, length).ToArray());
        return this;
    }

    public byte[] ToArray() => _file.ToArray();

    private void Int32(uint value)
    {
        var octets = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(octets, value);
        _file.Write(octets);
    }
}
