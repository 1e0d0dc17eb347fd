namespace ModelZoo.Hub;

/// <summary>What a weights download is doing (<see cref="DownloadProgress.Stage"/>).</summary>
public enum DownloadStage
{
    /// <summary>Another process is downloading the same file; this one waits for it.</summary>
    WaitingForOtherProcess,

    /// <summary>The transfer started from the beginning.</summary>
    Started,

    /// <summary>The transfer resumed a partial download (HTTP Range).</summary>
    Resumed,

    /// <summary>Bytes arrived.</summary>
    Downloading,

    /// <summary>The file was verified and moved into the cache.</summary>
    Completed,
}
