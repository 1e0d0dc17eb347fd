namespace ModelZoo.Training;

/// <summary>How a training run ended.</summary>
public enum TrainingStatus
{
    /// <summary>All epochs ran.</summary>
    Completed,

    /// <summary>Early stopping ended the run.</summary>
    EarlyStopped,

    /// <summary>Cancelled (Ctrl+C, SIGTERM): the current step finished and <c>last</c> was written.</summary>
    Interrupted,
}
