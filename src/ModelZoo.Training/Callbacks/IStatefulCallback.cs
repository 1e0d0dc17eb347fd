using System.Text.Json.Nodes;

namespace ModelZoo.Training;

/// <summary>
/// A callback whose state belongs in the checkpoint (Lightning's callback <c>state_dict</c>): the trainer saves
/// <see cref="SaveState"/> under <see cref="StateKey"/> in every checkpoint and gives it back to <see cref="LoadState"/>
/// at the start of the <see cref="Trainer.Fit"/> that follows <see cref="Trainer.Resume"/>, so a resumed run goes on as
/// if it had not stopped (the best score so far, an early-stopping counter, a sweep's position).
/// </summary>
public interface IStatefulCallback : ITrainingCallback
{
    /// <summary>The key of the state in the checkpoint; unique among the trainer's callbacks.</summary>
    string StateKey { get; }

    /// <summary>The state to save (small: it goes into the checkpoint's JSON header).</summary>
    JsonObject SaveState();

    /// <summary>Restores a state <see cref="SaveState"/> returned.</summary>
    void LoadState(JsonObject state);
}
