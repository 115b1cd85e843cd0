using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>What a <see cref="DirectoryWatch"/> saw since it was last asked.</summary>
internal enum DirectoryChanges
{
    /// <summary>Nothing, or only the store's own file.</summary>
    None,

    /// <summary>Someone else added, removed, renamed or wrote a file, or so many changes came that the kernel dropped some.</summary>
    Others,

    /// <summary>The watch could not be kept (the directory went away and could not be watched again): follow it otherwise.</summary>
    Broken,
}

/// <summary>
/// Tells the certificate store, without listing its directory, whether anyone but the store itself changed it: a Linux
/// inotify watch, read without blocking. The kernel queues an event within the system call that makes the change, so
/// reading the queue right after a write of our own sees every change made before it, ours and others' in order. The
/// directory's modification time cannot tell them apart: our own writes change it too, and two changes within one
/// tick of the file system's clock leave the same time.
/// Only on file systems whose every change passes through this kernel (<see cref="LocalFileSystems"/>): on a network
/// or shared-folder file system a change made on another machine raises no event here, so there the store keeps to the
/// modification time.
/// </summary>
internal sealed partial class DirectoryWatch : IDisposable
{
    // <sys/inotify.h>; IN_NONBLOCK and IN_CLOEXEC are O_NONBLOCK and O_CLOEXEC, the same on every Linux .NET runs on.
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const uint CloseWrite = 0x8;
    private const uint MovedFrom = 0x40;
    private const uint MovedTo = 0x80;
    private const uint Create = 0x100;
    private const uint Delete = 0x200;
    private const uint DeleteSelf = 0x400;
    private const uint MoveSelf = 0x800;
    private const uint Unmount = 0x2000;
    private const uint QueueOverflow = 0x4000;
    private const uint Ignored = 0x8000;
    private const uint OnlyDirectory = 0x1000000;

    // A file written in place (close after writing) counts as well as one added or removed: a certificate still being
    // copied when the directory is listed is then read again once it is complete.
    private const uint Mask = CloseWrite | MovedFrom | MovedTo | Create | Delete | DeleteSelf | MoveSelf | OnlyDirectory;

    private const int Interrupted = 4; // EINTR
    private const int TryAgain = 11; // EAGAIN: the queue is empty

    // struct inotify_event: int wd, uint32 mask, cookie, len, then len bytes of NUL-padded name.
    private const int HeaderLength = 16;

    /// <summary>Local file systems (as <see cref="DriveInfo.DriveFormat"/> names them). Overlay counts: changes made
    /// through the mount raise events, and a container's state directory is changed through it.</summary>
    private static readonly FrozenSet<string> LocalFileSystems = FrozenSet.ToFrozenSet(
        ["ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "jfs", "reiserfs", "bcachefs", "tmpfs", "ramfs", "overlay"],
        StringComparer.Ordinal);

    private readonly SafeFileHandle _queue;
    private readonly string _directory;

    // Room for at least one event with the longest name (NAME_MAX 255), many in practice.
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _watch;

    private DirectoryWatch(SafeFileHandle queue, string directory, int watch)
    {
        _queue = queue;
        _directory = directory;
        _watch = watch;
    }

    /// <summary>A watch on <paramref name="directory"/>, or null with the reason when it cannot be watched reliably.</summary>
    public static DirectoryWatch? TryStart(string directory, out string? problem)
    {
        if (!OperatingSystem.IsLinux())
        {
            problem = "inotify is Linux only";
            return null;
        }

        string format;
        try
        {
            format = new DriveInfo(directory).DriveFormat;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            problem = "file system type unknown: " + e.Message;
            return null;
        }

        if (!LocalFileSystems.Contains(format))
        {
            problem = $"a {format} file system, where a change made on another machine raises no event";
            return null;
        }

        var descriptor = InotifyInit(NonBlocking | CloseOnExec);
        if (descriptor < 0)
        {
            // EMFILE when the user's inotify instances (fs.inotify.max_user_instances) are used up.
            problem = "inotify_init1: " + LastError();
            return null;
        }

        var queue = new SafeFileHandle(descriptor, ownsHandle: true);
        var watch = AddWatch(queue, directory, Mask);
        if (watch < 0)
        {
            problem = "inotify_add_watch: " + LastError();
            queue.Dispose();
            return null;
        }

        problem = null;
        return new DirectoryWatch(queue, directory, watch);
    }

    /// <summary>
    /// Empties the queue: <see cref="DirectoryChanges.Others"/> when it holds a change to any file but
    /// <paramref name="ours"/> (the name the store itself just wrote, or null) and dot files (temporaries, which the
    /// store never reads). Not thread-safe: the store calls it under its lock.
    /// </summary>
    public DirectoryChanges Drain(string? ours)
    {
        var changes = DirectoryChanges.None;
        while (true)
        {
            var length = ReadQueue();
            if (length < 0)
            {
                return DirectoryChanges.Broken;
            }

            if (length == 0)
            {
                return changes;
            }

            for (var offset = 0; offset + HeaderLength <= length;)
            {
                var header = _buffer.AsSpan(offset, HeaderLength);
                var watch = MemoryMarshal.Read<int>(header);
                var mask = MemoryMarshal.Read<uint>(header[4..]);
                var nameLength = (int)MemoryMarshal.Read<uint>(header[12..]);
                if (nameLength > length - offset - HeaderLength)
                {
                    // The kernel returns whole events only; should one ever be cut, it is read as a change.
                    changes = DirectoryChanges.Others;
                    break;
                }

                var name = Name(_buffer.AsSpan(offset + HeaderLength, nameLength));
                offset += HeaderLength + nameLength;

                if ((mask & (DeleteSelf | MoveSelf | Unmount | Ignored)) != 0 && watch == _watch)
                {
                    // The directory itself was removed, renamed away or replaced: watch whatever is at its path now
                    // (the store has just made sure a directory is there), and list that.
                    if (!Rewatch())
                    {
                        return DirectoryChanges.Broken;
                    }

                    changes = DirectoryChanges.Others;
                }
                else if ((mask & QueueOverflow) != 0 || (name.Length > 0 && name[0] != '.' && name != ours))
                {
                    changes = DirectoryChanges.Others;
                }
            }
        }
    }

    public void Dispose() => _queue.Dispose();

    private bool Rewatch()
    {
        // Removing the old watch stops events from a directory renamed away; it fails harmlessly when already gone.
        _ = RemoveWatch(_queue, _watch);
        _watch = AddWatch(_queue, _directory, Mask);
        return _watch >= 0;
    }

    /// <summary>Bytes read, 0 when the queue is empty, -1 when it cannot be read.</summary>
    private unsafe int ReadQueue()
    {
        fixed (byte* buffer = _buffer)
        {
            while (true)
            {
                var read = Read(_queue, buffer, (nuint)_buffer.Length);
                if (read >= 0)
                {
                    return (int)read;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == TryAgain)
                {
                    return 0;
                }

                if (error != Interrupted)
                {
                    return -1;
                }
            }
        }
    }

    private static string Name(ReadOnlySpan<byte> padded)
    {
        var end = padded.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? padded : padded[..end]);
    }

    private static string LastError() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int InotifyInit(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int AddWatch(SafeFileHandle queue, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
    private static partial int RemoveWatch(SafeFileHandle queue, int watch);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(SafeFileHandle queue, byte* buffer, nuint count);
}
