using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Smime.Vault.Sealers.Pkcs11;

/// <summary>
/// A CK_ATTRIBUTE array and the values it points at, in unmanaged memory, so the pointers stay valid for the
/// whole call without pinning and the module can read them as the C structure it expects.
/// </summary>
internal sealed unsafe class AttributeTemplate : IDisposable
{
    private readonly List<(nuint Type, byte[] Value)> _entries = [];
    private CkAttribute* _attributes;
    private byte* _values;

    public AttributeTemplate Add(nuint type, nuint value) => Add(type, BitConverter.GetBytes((ulong)value));

    public AttributeTemplate Add(nuint type, bool value) => Add(type, [value ? (byte)1 : (byte)0]);

    public AttributeTemplate Add(nuint type, string value) => Add(type, Encoding.UTF8.GetBytes(value));

    public int Count => _entries.Count;

    /// <summary>The CK_ATTRIBUTE array, written on first use; valid until this template is disposed.</summary>
    public CkAttribute* Pointer
    {
        get
        {
            if (_attributes is null)
            {
                Write();
            }

            return _attributes;
        }
    }

    public void Dispose()
    {
        NativeMemory.Free(_attributes);
        NativeMemory.Free(_values);
        _attributes = null;
        _values = null;
    }

    private AttributeTemplate Add(nuint type, byte[] value)
    {
        if (_attributes is not null)
        {
            throw new InvalidOperationException("the template was already handed to the module");
        }

        _entries.Add((type, value));
        return this;
    }

    private void Write()
    {
        var total = 0;
        foreach (var (_, value) in _entries)
        {
            total += value.Length;
        }

        _attributes = (CkAttribute*)NativeMemory.AllocZeroed((nuint)Math.Max(1, _entries.Count), (nuint)sizeof(CkAttribute));
        _values = (byte*)NativeMemory.Alloc((nuint)Math.Max(1, total));
        var offset = 0;
        for (var i = 0; i < _entries.Count; i++)
        {
            var (type, value) = _entries[i];
            value.CopyTo(new Span<byte>(_values + offset, value.Length));
            _attributes[i] = new CkAttribute { Type = type, Value = _values + offset, ValueLength = (nuint)value.Length };
            offset += value.Length;
        }
    }
}
