using System.Runtime.InteropServices;
using Ipvs.Netlink.Interop;

namespace Ipvs.Netlink;

/// <summary>Runs a function with the calling context switched into another network namespace.</summary>
internal static class NetworkNamespace
{
    /// <summary>
    /// Runs <paramref name="action"/> on a new thread that has entered the namespace at
    /// <paramref name="path"/> (<c>/run/netns/NAME</c> or <c>/proc/PID/ns/net</c>). A socket created
    /// there stays in that namespace for its whole life; no other thread changes namespace.
    /// </summary>
    public static T Run<T>(string path, Func<T> action)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
                if (fd < 0)
                {
                    throw new NetlinkException(Marshal.GetLastPInvokeError(), context: $"opening network namespace {path}");
                }

                try
                {
                    if (LibC.SetNs(fd, LibC.CLONE_NEWNET) != 0)
                    {
                        throw new NetlinkException(Marshal.GetLastPInvokeError(), context: $"entering network namespace {path}");
                    }
                }
                finally
                {
                    LibC.Close(fd);
                }

                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "ipvs-netns",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return result!;
    }
}
