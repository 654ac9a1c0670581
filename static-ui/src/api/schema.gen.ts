// Generated from the console API's OpenAPI document (the Rust code's utoipa annotations) by
// static-ui/scripts/api-types.mjs with openapi-typescript. Do not edit: change the Rust side and
// run `npm --prefix static-ui run api-types`. static-ui/scripts/test.sh fails while this file is stale.

export interface paths {
    "/api/call-lists": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The call lists with their progress counts, newest first. */
        get: operations["list_lists"];
        put?: never;
        /** Creates a call list (admins). */
        post: operations["create_list"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Reads a call list with its progress counts. */
        get: operations["read_list"];
        /**
         * Changes a call list's name, line, script and description (admins); a stale `version` gets
         *     409 with the current list.
         */
        put: operations["update_list"];
        post?: never;
        /**
         * Deletes a call list with its targets (admins). 204 when it is gone; a large list answers
         *     202 with the progress, and the request is repeated until it answers 204.
         */
        delete: operations["delete_list"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Starts importing a file into a list (admins): the file's columns and which hold what. */
        post: operations["start_import"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/imports/{import}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An import and its progress (admins). */
        get: operations["read_import"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/imports/{import}/chunks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Imports one chunk of a file (admins): the raw bytes of whole rows (up to 5,000 rows and
         *     2 MB), `Content-Type: text/csv`. Rows that fail are reported with their line and reason;
         *     the rest become targets. Sending a chunk again imports nothing twice and returns the same
         *     report with `repeated: true`.
         */
        post: operations["import_chunk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/imports/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reads the beginning of a CSV file (admins): its encoding, header, first rows and a
         *     suggested column mapping. The body is the file's first bytes (up to 256 KB, cut after a line
         *     break), `Content-Type: text/csv`.
         */
        post: operations["preview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/lease-next": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Leases the next target of the queue nobody else holds; 204 when nothing is left to call. */
        post: operations["lease_next"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The targets to call next: due callbacks, then abandoned leases, then targets not called. */
        get: operations["queue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/targets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A page of a list's targets, all (file order) or in one state (the order it is worked in). */
        get: operations["list_targets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/targets/{target}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A target with the results of its calls, newest first. */
        get: operations["read_target"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/targets/{target}/lease": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Leases a target to the calling operator, with the line and talk script to dial it with.
         *     409 `target_leased` (with the holder) when another operator holds it, `target_done` when
         *     it is finished.
         */
        post: operations["lease"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/targets/{target}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Gives a leased target back without a result. */
        post: operations["release"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/call-lists/{list}/targets/{target}/result": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Records the result of a call to a leased target (its holder only) and ends the lease. */
        post: operations["record_result"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A call's live state, for its operator, the target of a transfer under way, or a supervisor. */
        get: operations["live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/consult": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Calls a third party into the conference while the customer is held; the operator hears it
         *     ring (early media). Refused unless the customer is on hold.
         */
        post: operations["consult"];
        /** Hangs up the consultation call; the customer stays on hold until the operator unholds. */
        delete: operations["end_consult"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/consult/handover": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hands the customer to the connected consultation party (a warm transfer to an outside
         *     number): the customer comes off hold with them, my leg leaves and I go into 後処理 while
         *     the call goes on; it ends when either of them hangs up.
         */
        post: operations["hand_over_to_consulted"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/external": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hands the customer to an outside number and leaves at once (a cold transfer to an outside
         *     number): the customer waits on hold while it rings on the chosen line and comes off hold with
         *     them when they answer; I go into 後処理 now. An invalid or barred number is refused before
         *     anything is dialled. If nobody answers, the call comes back to me (rung back) or goes back
         *     in line.
         */
        post: operations["hand_to_outside_number"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/hangup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hangs up. On a normal call the conference ends for everyone. During a transfer only the
         *     first operator's leg is removed: an answered transfer then completes (the customer is
         *     taken off hold with the target, who becomes the call's operator), a ringing one goes on
         *     with the customer held.
         */
        post: operations["hangup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/hold": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Puts the customer on hold with hold music. The operator's own leg is first set not to end
         *     the conference when it leaves (Twilio ignores flag changes on a held participant, and a
         *     consultation or transfer may have the operator leave while the customer waits).
         */
        post: operations["hold"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/recording": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pauses or resumes the recording of a call on a recorded line (the call's `recording_paused`
         *     shows which). Refused when the call is not being recorded.
         */
        post: operations["recording"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/recording/link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A link to play the call's recording, good for 30 minutes. Supervisors and admins may play
         *     every call's recording; an operator only their own calls' and only when
         *     `call_handling.operators_play_own_recordings` is on. Each link written is an entry in the
         *     audit log (who, which call, when).
         */
        post: operations["recording_link"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/rejoin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rings the operator's softphone back into their own live call (after a crashed tab or a
         *     lost connection): the customer never left the conference, so this is one REST request.
         *     Refused when the operator's leg is still connected.
         */
        post: operations["rejoin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/transfer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hands the call to another operator. The customer is put on hold (your own leg is first set
         *     not to end the conference when it leaves) and the target's softphone rings with the custom
         *     parameters `callSid`, `transferId`, `mode`, `fromOperator`, `fromOperatorId`, `customer`
         *     and, with a screen transfer, `handoffId`. Warm: when they answer you talk while the
         *     customer waits, then hang up (`POST /hangup`) and the customer is taken off hold with them.
         *     Cold: you leave at once; they get the customer as soon as they answer. When they do not
         *     answer, the customer stays held and comes back to you (a cold transfer rings you back).
         */
        post: operations["transfer"];
        /**
         * Calls off a warm transfer that is ringing or answered: the target's leg is hung up and
         *     the customer stays on hold with you. A cold transfer cannot be called off once you left.
         */
        delete: operations["cancel_transfer"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/{call}/unhold": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Takes the customer off hold. Refused while a transfer is under way (the customer waits on
         *     hold until it completes or is called off).
         */
        post: operations["unhold"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's current call, or `null` (after a reload, the page offers to rejoin it). */
        get: operations["current"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/dial-check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Whether I may call this number on this line: 200 with the number as read, or 422 saying
         *     why not — not a phone number (`invalid_phone`), a country the settings do not allow
         *     (`barred_country`, Japan only by default) or a premium-rate number (`premium_rate_number`).
         */
        post: operations["dial_check"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tasks: voicemails and callback requests, oldest place first; one bounded query. */
        get: operations["list_tasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/tasks/{task}/done": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Finishes a task the caller holds (409 `not_task_holder` otherwise). */
        post: operations["finish_task"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/tasks/{task}/recording/link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A link to play the voicemail's recording, good for 30 minutes, for anyone who may see the
         *     task (every signed-in user: the task list is shared). The link is served by range like a
         *     call's recording (`GET /api/media/recordings/{token}`), and each play is audited.
         */
        post: operations["task_recording_link"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/tasks/{task}/take": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Takes a task: 409 `task_taken` naming the operator who holds it, `task_done` when finished. */
        post: operations["take_task"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calls/tasks/{task}/undo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Undoes a finished task (it is the caller's again, in its place) or puts a task the caller
         *     holds back for others. A supervisor may do either for anyone's task.
         */
        post: operations["undo_task"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The accounts, contacts and other records filed under a phone number (screen pop), with the
         *     first page of the number's calls when `calls` asks for it.
         */
        get: operations["lookup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/objects/{object}/records": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Creates a record. */
        post: operations["create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/objects/{object}/records/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Reads a record. */
        get: operations["read_record"];
        /** Changes a record; a stale `version` gets 409 with the current record. */
        put: operations["update_record"];
        post?: never;
        /** Deletes a record (supervisors and admins). */
        delete: operations["remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Searches the configured fields of one object. */
        get: operations["search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/handoffs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A screen transfer (画面転送), for the operator it was sent to or a supervisor; 404 once it
         *     expired (an hour after the transfer started).
         */
        get: operations["handoff"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/history/calls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Calls linked to a phone number or an account, newest first, each with the voicemail or
         *     callback request its caller left; a number's voicemails left while its line was closed are
         *     listed among them as calls of status `voicemail`. Recording links are shown to supervisors
         *     and admins, and to an operator on their own calls when the settings let operators play them
         *     (`call_handling.operators_play_own_recordings`); the page plays them through
         *     `POST /api/calls/{call}/recording/link`.
         */
        get: operations["calls"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/history/records/{object}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Records of one object linked to a phone number, an account or a contact, newest first. */
        get: operations["records"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/media/recordings/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The recording a link names, a byte range at a time: `Range: bytes=0-`, `bytes=100-199` or
         *     `bytes=-500` is answered 206 with `Content-Range` and at most 2 MB (the player asks for the
         *     next range); no `Range` gets the start of the recording the same way (200 when that is the
         *     whole of it). 400 for a malformed range, 416 for one past the end, 404 for an unknown or
         *     expired link. Public: the link's random token is the credential.
         */
        get: operations["recording_media"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/memos/{call}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The memo of a call (empty, version 0, before the first save). */
        get: operations["read_memo"];
        /** Saves the memo if `version` is current; 409 with the current memo otherwise. */
        put: operations["save"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/memos/{call}/transcript": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The live transcript of a call (リアルタイム文字起こし), in the order it was said (or its
         *     `last` phrases): while the call is live for the operator on it and supervisors, once it
         *     ended for anyone who reads 対応履歴. Empty for a call of a line that does not transcribe.
         */
        get: operations["read_transcript"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/monitor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every operator with their status and live call (memo as typed), the queue and today's figures. */
        get: operations["board"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/monitor/calls/{call}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Joins a live call as a listener, a coach or a participant, or switches mode when already on
         *     it. Whispering is refused while the operator is on hold (Twilio does not coach a held
         *     participant), as is a second supervisor on the same call. The operator's raised hand
         *     (手上げ), if any, is answered and goes down.
         */
        post: operations["join"];
        /**
         * Leaves a call the supervisor is monitoring. Only the supervisor on the call, or an admin,
         *     may take the monitoring leg off it.
         */
        delete: operations["leave"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/monitor/operators/{operator}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Releases an operator the board shows on a call that is over (its end callbacks were lost):
         *     the call is checked in the store and with Twilio, its end applied as the callback would and
         *     the operator put in wrap-up. A call Twilio says is still live is never cut: 409 `call_live`.
         *     Supervisors and admins only; every attempt is written to the audit log.
         */
        post: operations["release_operator"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/operators": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every operator with their status, for the transfer dialog and monitoring. */
        get: operations["list_operators"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/operators/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My profile and presence; the first call creates the profile from the sign-in claims. */
        get: operations["me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/operators/me/hand": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Raises (手上げ) or lowers my hand; the supervisors' board shows a raised hand with a button
         *     to listen in, and it goes down when a supervisor joins my call. Refused while offline.
         */
        put: operations["set_hand"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/operators/me/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Changes my presence. `on_call` is refused (the system sets it); leaving while a call rings
         *     or is connected gets 409. Becoming available rings the longest-waiting call at once.
         */
        put: operations["set_status"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A range's figures: the centre's totals and presence, per day, per operator (with 稼働率 and
         *     占有率), per queue and per response status.
         */
        get: operations["report"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reports/calls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One page of the calls of a range as CSV rows, oldest first, with their memos: the first page
         *     starts with the header (and the BOM, or the Shift_JIS note), later pages are rows only, so
         *     the page joins them into one file. `X-Next-Cursor` names the next page (absent after the
         *     last), `X-Rows` the calls in this one.
         */
        get: operations["export_calls"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reports/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The report of a range as one CSV file: the centre's totals, then a table per day, per
         *     operator, per queue and per response status, and the call lists' results by code, each
         *     under its title.
         */
        get: operations["export_report"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** All settings sections with their versions. */
        get: operations["read_settings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/{section}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Replaces one section (admins only); a stale version gets 409 with the current value. A
         *     section's value is checked whole (a `waiting` naming a line that does not exist, a `queues`
         *     with the same id twice, a line or menu naming a queue that is not there: 422 saying what to
         *     fix in Japanese).
         */
        put: operations["write"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/hours/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * What business hours being edited mean now (admins only): open until when, or closed from
         *     when and why, and the next national holidays; nothing is saved.
         */
        post: operations["preview_hours"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/menu/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * What a caller would hear from a menu being edited (admins only): every prompt in order,
         *     sub-menus and what each option leads to included; nothing is saved.
         */
        post: operations["preview_menu"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/music-upload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Where to send a hold or wait music file (admins only): its name, type and size are checked
         *     (422 saying what to fix in Japanese) and the answer is a URL accepting one PUT of it for five
         *     minutes, and the path in the page's bucket the line's `waiting` setting then names.
         */
        post: operations["music_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Issues a Voice access token for the caller (any role: supervisors listen through the
         *     softphone too); 403 for a user an admin disabled.
         */
        get: operations["token"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One page of users (60 at most), in the directory's order. */
        get: operations["list_users"];
        put?: never;
        /**
         * Invites a user: 201 with the user, who waits for their first sign-in
         *     (`FORCE_CHANGE_PASSWORD`); 409 when the address is taken.
         */
        post: operations["invite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Changes a user's role or disables or enables them, and returns the user as they now are.
         *     404 for an unknown id; 409 when an admin would disable or demote themselves.
         */
        put: operations["update_user"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{id}/skills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Sets the queues a user takes calls from and returns them as stored (an empty list: every
         *     queue). 404 for an unknown user; 422 naming a queue the centre does not have.
         */
        put: operations["set_skills"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/skills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The operators' skills (admins only): one read of the operator list. */
        get: operations["list_skills"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description A caller's audio: a URL Twilio fetches, or a file of the page's bucket (`music/hold.mp3`),
         *     served with the page under `/<path>`.
         */
        Audio: {
            /** @enum {string} */
            source: "url";
            url: string;
        } | {
            path: string;
            /** @enum {string} */
            source: "bucket";
        };
        /** @description The supervisor's board. */
        Board: {
            /** @description When the board was read. */
            at: string;
            /**
             * Format: int64
             * @description How long the longest-waiting caller has waited, seconds.
             */
            longest_wait_seconds: number;
            operators: components["schemas"]["BoardOperator"][];
            /** @description The first 30 callers in line, every queue together, oldest first. */
            queue: components["schemas"]["Waiting"][];
            /** @description Each queue of the settings, in their order: callers waiting and the longest wait. */
            queues: components["schemas"]["QueueFigures"][];
            today: components["schemas"]["DayFigures"];
        };
        /** @description The operator's live call as the board shows it. */
        BoardCall: {
            account_id?: string | null;
            /** @description When the operator and customer were connected. */
            answered_at?: string | null;
            contact_id?: string | null;
            customer?: string | null;
            customer_display?: string | null;
            customer_held: boolean;
            direction: string;
            /**
             * @description Our line (the number called, or the caller ID used): the board reads the recent
             *     transcript of a call whose line transcribes.
             */
            line?: string | null;
            /** @description The memo as the operator is typing it. */
            memo: string;
            memo_updated_at?: string | null;
            /**
             * Format: int64
             * @description The memo's version (0 before its first save): the page keeps a newer pushed memo over an
             *     older read of the board.
             */
            memo_version: number;
            /** @description Whether a supervisor is on the call, and how (`listen`, `whisper`, `barge`). */
            monitor?: string | null;
            /** @description The supervisor on the call, when one is. */
            monitor_by?: string | null;
            response_status?: string | null;
            sid: string;
            /** @description A transfer or consultation going on (`transfer`, `consult`), if any. */
            with?: string[];
        };
        /** @description One operator on the board. */
        BoardOperator: components["schemas"]["Operator"] & {
            call?: null | components["schemas"]["BoardCall"];
            external?: null | components["schemas"]["ExternalHandover"];
        };
        /** @description One number's business hours. */
        BusinessHours: {
            closed_days?: components["schemas"]["ClosedDays"][];
            /** @description Closed on Japan's national holidays, 振替休日 and 国民の休日 included (the default). */
            closed_on_holidays?: boolean;
            weekly: components["schemas"]["Weekly"];
            when_closed: components["schemas"]["WhenClosed"];
        };
        /** @description How calls are handled. */
        CallHandling: {
            /**
             * Format: int32
             * @description Seconds a caller may wait for an operator before a polite goodbye.
             */
            max_wait_seconds: number;
            /**
             * @description Whether operators may play the recordings of their own calls (supervisors and admins play
             *     every call's); off unless set.
             */
            operators_play_own_recordings?: boolean;
            /**
             * Format: int32
             * @description Seconds a held customer may be left with no operator before the call heals itself.
             */
            orphan_hold_seconds: number;
            /**
             * Format: int32
             * @description 録音の保存期間: days a call's recording is kept at Twilio before it is deleted there (0 keeps
             *     recordings for ever); 90 unless set.
             */
            recording_retention_days?: number;
            /**
             * @description 対応ステータス必須: the operator chooses the call's response status before leaving
             *     後処理 (the page keeps them in wrap-up until they do).
             */
            require_response_status?: boolean;
            /**
             * Format: int32
             * @description Seconds an operator's phone rings before the call is offered to the next operator.
             */
            ring_timeout_seconds: number;
            /**
             * Format: int32
             * @description サービスレベル: an incoming call answered within this many seconds counts as answered
             *     in time in the reports (20 unless set).
             */
            service_level_seconds?: number;
            /**
             * Format: int32
             * @description Seconds of 後処理 (wrap-up) before an operator is Available again.
             */
            wrap_up_seconds: number;
        };
        /** @description A call list as the API shows it. */
        CallList: {
            counts: components["schemas"]["Counts"];
            created_at: string;
            created_by: string;
            description?: string | null;
            id: string;
            /** @description The outbound line (caller ID) the list is dialled on: an id of the settings' lines. */
            line_id: string;
            name: string;
            /** @description The talk script shown while calling: an id of the settings' scripts. */
            script_id?: string | null;
            updated_at: string;
            updated_by: string;
            /** Format: int64 */
            version: number;
        };
        /** @description What an admin sends to change a list: every editable field, and the version read. */
        CallListUpdate: {
            description?: string | null;
            line_id: string;
            name: string;
            script_id?: string | null;
            /** Format: int64 */
            version: number;
        };
        /**
         * @description A call record as call control reads it: the call as history shows it, and what routing,
         *     the conference, transfers, recording, monitoring and healing keep on it. Attributes the
         *     record does not have are `None`; unknown ones are ignored.
         */
        CallRecord: components["schemas"]["CallSummary"] & {
            conference_sid?: string | null;
            /** @description When the customer's leg first reported `in-progress`. */
            connected_at?: string | null;
            /**
             * @description The outside number of the last consultation call placed (E.164): a warm 外部転送 hands
             *     the customer to it.
             */
            consult_to?: string | null;
            /** @description The day whose figures count the call, once counted. */
            counted?: string | null;
            /** @description The operators the call was handed on from lately, oldest first. */
            handed_over?: components["schemas"]["Handover"][];
            /** Format: int64 */
            heal_count?: number | null;
            monitor_by?: string | null;
            /** @description How and by whom a supervisor is on the call. */
            monitor_mode?: string | null;
            /** @description The operator whose phone rings with the call. */
            offered_to?: string | null;
            /** @description When the operator of an outgoing call left before the customer answered. */
            operator_gone_at?: string | null;
            operator_label?: null | components["schemas"]["ParticipantLabel"];
            /** @description Since when the customer has been held with nobody. */
            orphaned_since?: string | null;
            /** @description The sort key of the call's queue entry while it waits. */
            queue_sk?: string | null;
            /** @description When the call started being reconnected to an operator (rung back, or back in line). */
            reconnecting_at?: string | null;
            recording_paused?: boolean | null;
            /** Format: int64 */
            recording_seconds?: number | null;
            /**
             * @description On a recorded line: the recording, Twilio's status of it (`in-progress`, `completed`, …),
             *     its length once done, and whether the operator paused it.
             */
            recording_sid?: string | null;
            recording_status?: string | null;
            requeued_at?: string | null;
            /**
             * @description When Twilio reported the call's live transcription started (on a line that
             *     transcribes): a voicemail box the caller is sent to stops it before starting its own.
             */
            transcription_started_at?: string | null;
            /** Format: int64 */
            twilio_seq?: number | null;
            /** @description Twilio's latest CallStatus of the customer's leg, and its sequence number. */
            twilio_status?: string | null;
        };
        /** @description A call as history and monitoring show it. */
        CallSummary: {
            account_id?: string | null;
            answered_at?: string | null;
            contact_id?: string | null;
            /** @description The customer's number in E.164 (absent for a withheld number). */
            customer?: string | null;
            customer_display?: string | null;
            direction: components["schemas"]["Direction"];
            /** Format: int64 */
            duration_seconds?: number | null;
            end_reason?: string | null;
            ended_at?: string | null;
            external?: null | components["schemas"]["ExternalHandover"];
            /** @description Our line (the number called, or the caller ID used). */
            line?: string | null;
            /** @description The conversation memo as last saved (history reads it from the call's memo item). */
            memo?: string | null;
            operator_id?: string | null;
            operator_name?: string | null;
            /**
             * @description When the call's recording was deleted at Twilio because its retention period ran out
             *     (保存期間を過ぎたため削除済み); the recording's link is gone from then on.
             */
            recording_deleted_at?: string | null;
            recording_url?: string | null;
            response_status?: string | null;
            sid: string;
            started_at: string;
            /** @description waiting, ringing, in_progress, completed, abandoned, failed … */
            status: string;
        };
        /** @description One choice of a select field. */
        Choice: {
            label: string;
            value: string;
        };
        /** @description What became of one chunk. */
        ChunkReport: {
            /** @description `utf-8`, `utf-8-bom` or `shift_jis`: how the chunk's bytes were read. */
            encoding: string;
            /** @description The failed rows, at most [`MAX_LISTED_FAILURES`]. */
            failed: components["schemas"]["RowFailure"][];
            /** Format: int64 */
            failed_count: number;
            /** Format: int64 */
            first_line: number;
            import_id: string;
            /**
             * Format: int64
             * @description Rows that are targets now, whether written by this request or an earlier send.
             */
            imported: number;
            /**
             * Format: int64
             * @description Imported rows linked to a CRM account or contact.
             */
            linked: number;
            /** @description This chunk had been received before; nothing was written again. */
            repeated: boolean;
            /**
             * Format: int64
             * @description Rows in the chunk (a repeated header row is not counted).
             */
            rows: number;
        };
        /** @description A chunk's report with the import's totals after it. */
        ChunkResponse: {
            chunk: components["schemas"]["ChunkReport"];
            import: components["schemas"]["Import"];
        };
        /** @description What a page sends. */
        ClientMessage: {
            /** @enum {string} */
            action: "subscribe";
            topics: components["schemas"]["Topic"][];
        } | {
            /** @enum {string} */
            action: "ping";
        };
        /**
         * @description Days the centre is closed besides holidays: every year (`12-29` to `01-03`, across the new
         *     year) or once (`2026-08-13` to `2026-08-16`); `to` absent is the one day `from`.
         */
        ClosedDays: {
            /** @description `MM-DD` (every year) or `YYYY-MM-DD` (once). */
            from: string;
            /** @description What the days are (年末年始), said in the admin page and the logs. */
            label: string;
            /** @description The same form as `from`; the last closed day. */
            to?: string | null;
        };
        /** @description Which columns of the file hold what. */
        ColumnMapping: {
            account?: null | components["schemas"]["ColumnRef"];
            contact?: null | components["schemas"]["ColumnRef"];
            /** @description Columns kept on each target as they are. */
            extra?: components["schemas"]["ColumnRef"][];
            name?: null | components["schemas"]["ColumnRef"];
            notes?: null | components["schemas"]["ColumnRef"];
            phone: components["schemas"]["ColumnRef"];
        };
        /** @description A column of the file, by its header name or its 1-based number. */
        ColumnRef: number | string;
        /** @description A consultation call during hold (保留中外線発信). */
        ConsultRequest: {
            /** @description The outbound line (caller ID) to call on. */
            line_id: string;
            /** @description The number to call, in any common form. */
            to: string;
        };
        /** @description Targets of a list by state. Always exact: kept by the writes that change states. */
        Counts: {
            /** Format: int64 */
            callback: number;
            /** Format: int64 */
            done: number;
            /** Format: int64 */
            in_progress: number;
            /** Format: int64 */
            no_answer: number;
            /** Format: int64 */
            not_called: number;
            /** Format: int64 */
            total: number;
        };
        /** @description A day's figures. */
        DayFigures: {
            /**
             * Format: int64
             * @description Incoming calls whose caller hung up before an operator answered.
             */
            abandoned: number;
            /**
             * Format: int64
             * @description Calls an operator talked on (either way).
             */
            answered: number;
            /**
             * Format: int64
             * @description Average talk time of answered calls, seconds.
             */
            average_handle_seconds: number;
            /**
             * Format: int64
             * @description Average wait of answered incoming calls, seconds.
             */
            average_wait_seconds: number;
            /** @description The day (Japan time). */
            day: string;
            /** @description Per hour (0–23, Japan time): incoming calls, those answered, those abandoned — for the chart. */
            hours: components["schemas"]["HourFigures"][];
            /** Format: int64 */
            inbound: number;
            /** Format: int64 */
            outbound: number;
        };
        /** @description One day's figures. */
        DayRow: {
            day: string;
            figures: components["schemas"]["Figures"];
        };
        /** @description Where deleting a large list got to. */
        DeleteProgress: {
            /** Format: int64 */
            deleted: number;
            /** @description Whether the list is gone; when false, send the request again. */
            done: boolean;
        };
        /** @description A number the operator may call. */
        DialCheck: {
            /** @description Its country (ISO 3166). */
            country: string;
            /** @description The number as an operator reads it. */
            display: string;
            /** @description The number in E.164 (with `;ext=` when an extension was written). */
            number: string;
        };
        /** @description The dial-out policy. */
        Dialing: {
            /** @description The countries operators may call, as ISO 3166 codes (`JP`, `US`); `JP` alone by default. */
            allowed_countries: string[];
        };
        /** @description A number about to be dialled, and the line it would go out on. */
        DialRequest: {
            /** @description The outbound line (発信回線) the call would use. */
            line_id: string;
            /** @description The number as typed (`03-1234-5678`, `+1 212 555 0123`, `03-1234-5678 内線 12`). */
            to: string;
        };
        /**
         * @description Which way the call went.
         * @enum {string}
         */
        Direction: "inbound" | "outbound";
        /** @description A user as the admin page lists them. */
        DirectoryUser: {
            /** @description When the user was created (RFC 3339). */
            created_at: string;
            email: string;
            /** @description Whether the user may sign in. */
            enabled: boolean;
            /** @description The operator id: Cognito's `sub` when deployed, so it is the `sub` of the user's tokens. */
            id: components["schemas"]["OperatorId"];
            /** @description The display name (Cognito's `name` attribute). */
            name: string;
            role: null | components["schemas"]["Role"];
            /**
             * @description Cognito's UserStatus: `FORCE_CHANGE_PASSWORD` until the first sign-in, then `CONFIRMED`
             *     (or `RESET_REQUIRED`, … as Cognito reports it).
             */
            status: string;
        };
        /**
         * @description 外部転送: the customer handed to an outside number, warm (the operator talked to them first)
         *     or cold (the operator left at once, while it rang).
         */
        ExternalHandover: {
            /** @description When they did. */
            at: string;
            /** @description The operator who handed the customer over. */
            by: string;
            /** @description When the outside party and the customer were connected (absent while a cold one rings). */
            connected_at?: string | null;
            /** @description `warm` or `cold`. */
            mode: string;
            /** @description The outside number (E.164). */
            to: string;
            /** @description The outside number as an operator reads it (`090-1111-2222`). */
            to_display: string;
        };
        /** @description A column of the imported file kept on the target as it was. */
        ExtraValue: {
            column: string;
            value: string;
        };
        /** @description A field of an object. */
        FieldDef: components["schemas"]["FieldType"] & {
            /** @description The Japanese label shown in the page. */
            label: string;
            label_en?: string | null;
            name: string;
            required?: boolean;
        };
        /** @description The type of a field, with what the type needs. */
        FieldType: {
            /** Format: int32 */
            max_length?: number | null;
            /** @enum {string} */
            type: "text";
        } | {
            /** @enum {string} */
            type: "long_text";
        } | {
            /** @enum {string} */
            type: "number";
        } | {
            /** @enum {string} */
            type: "date";
        } | {
            /** @enum {string} */
            type: "datetime";
        } | {
            options: components["schemas"]["Choice"][];
            /** @enum {string} */
            type: "select";
        } | {
            /** @enum {string} */
            type: "phone";
        } | {
            /** @enum {string} */
            type: "email";
        } | {
            /** @enum {string} */
            type: "checkbox";
        } | {
            object: components["schemas"]["ObjectName"];
            /** @enum {string} */
            type: "reference";
        };
        /** @description Call figures of one item (a day, an operator, a queue, a status, or a sum of them). */
        Figures: {
            /**
             * Format: double
             * @description abandoned / offered, percent; absent with no incoming call.
             */
            abandon_percent?: number | null;
            /**
             * Format: int64
             * @description Incoming calls whose caller hung up before an operator answered (放棄呼).
             */
            abandoned: number;
            /**
             * Format: int64
             * @description Incoming calls an operator answered (応答数).
             */
            answered: number;
            /**
             * Format: int64
             * @description Incoming calls answered within the service-level threshold.
             */
            answered_in_time: number;
            /**
             * Format: int64
             * @description Average speed of answer (ASA), seconds.
             */
            average_answer_seconds: number;
            /**
             * Format: int64
             * @description Average handle time: (talk + hold + 後処理) / handled, seconds.
             */
            average_handle_seconds: number;
            /**
             * @description Call-list results by result code ([`CALL_RESULTS`]: done 完了, no_answer 不在,
             *     callback 再架電).
             */
            call_results: {
                [key: string]: number;
            };
            /**
             * Format: int64
             * @description Calls talked on, either way (the AHT's denominator).
             */
            handled: number;
            /** Format: int64 */
            hold_seconds: number;
            /**
             * Format: int64
             * @description Incoming calls (入電数).
             */
            offered: number;
            /**
             * Format: int64
             * @description Outgoing calls (発信数).
             */
            outbound: number;
            /**
             * @description Outgoing calls by how Twilio ended them: completed (つながった), busy, no_answer,
             *     failed, canceled, other.
             */
            outbound_results: {
                [key: string]: number;
            };
            /**
             * Format: int64
             * @description Call-list results recorded (架電結果), counted when the operator records them.
             */
            results: number;
            /**
             * Format: double
             * @description answered_in_time / offered, percent (one decimal); absent with no incoming call.
             */
            service_level_percent?: number | null;
            /** Format: int64 */
            talk_seconds: number;
            /**
             * Format: int64
             * @description 後処理 seconds.
             */
            wrap_up_seconds: number;
        };
        /** @description One queue's or one response status's figures over the range. */
        GroupRow: {
            figures: components["schemas"]["Figures"];
            id: string;
            /** @description Its name in the settings (the id when it is no longer there). */
            name: string;
        };
        /** @description A screen transfer as the target's page loads it. */
        Handoff: {
            call_sid: string;
            created_at: string;
            from_name: string;
            from_operator: string;
            id: string;
            screen: components["schemas"]["ScreenTransfer"];
            to_operator: string;
            transfer_id: string;
            /** @description Readable until then (RFC 3339); gone afterwards. */
            valid_until: string;
        };
        /**
         * @description An operator the call was taken from (by a transfer, or back in line after their leg left),
         *     and when.
         */
        Handover: {
            at: string;
            operator: string;
        };
        /** @description Up or down. */
        HandRequest: {
            raised: boolean;
        };
        /**
         * @description One row of the call history: a call, with the task its caller left (a voicemail, a callback
         *     request) if any. A voicemail left while the line was closed is a row of its own: a call of
         *     status `voicemail` named by its CallSid, with no operator.
         */
        HistoryCall: components["schemas"]["CallSummary"] & {
            task?: null | components["schemas"]["Task"];
            transcript_hit?: null | components["schemas"]["TranscriptLine"];
        };
        /** @description One search hit. */
        Hit: {
            account_id?: string | null;
            id: string;
            /** @description The field the query matched best. */
            matched_field: string;
            object: string;
            /** @description The record's first phone number (E.164, as stored), for click-to-dial from the hit. */
            phone?: string | null;
            /** @description That number as an operator reads it (`03-1234-5678`). */
            phone_display?: string | null;
            /** Format: int32 */
            score: number;
            subtitle?: string | null;
            title: string;
        };
        /** @description An hour's figures. */
        HourFigures: {
            /** Format: int64 */
            abandoned: number;
            /** Format: int64 */
            answered: number;
            /** Format: int32 */
            hour: number;
            /** Format: int64 */
            inbound: number;
        };
        /**
         * @description What the admin page shows beside the hours being edited: open or closed now, until when or
         *     from when, why closed, and the next national holidays.
         */
        HoursPreview: {
            /** @description While closed on a whole day: the holiday's name or the closed day's label. */
            closed_for?: string | null;
            /** @description The next national holidays from today, closed on or not. */
            holidays: components["schemas"]["UpcomingHoliday"][];
            open: boolean;
            /** @description While closed: the next opening within a year (RFC 3339, Japan's clock). */
            opens?: string | null;
            /** @description While open: when the opening ends (RFC 3339, Japan's clock). */
            until?: string | null;
        };
        /** @description An import and its progress so far. */
        Import: {
            /** Format: int64 */
            chunks: number;
            columns: string[];
            created_at: string;
            created_by: string;
            encoding: components["schemas"]["ImportEncoding"];
            file_name?: string | null;
            id: string;
            list_id: string;
            mapping: components["schemas"]["ResolvedMapping"];
            /** Format: int64 */
            rows_failed: number;
            /**
             * Format: int64
             * @description Rows imported (or found already imported) in the chunks received so far.
             */
            rows_imported: number;
            /**
             * Format: int64
             * @description Imported rows whose number matched a CRM account or contact.
             */
            rows_linked: number;
            /** Format: int64 */
            total_rows?: number | null;
        };
        /**
         * @description How the bytes of an imported file are read.
         * @enum {string}
         */
        ImportEncoding: "auto" | "utf-8" | "shift_jis";
        /** @description The inquiry form (問合せ) the first operator had started. */
        InquiryDraft: {
            /** @description Field values by field name: text, a number or true/false as the field's type makes it; null clears a field in a patch. */
            fields: {
                [key: string]: string | number | boolean | null;
            };
            /** @description The object of the form (`inquiry`, or an admin-defined one). */
            object: string;
        };
        /** @description A target leased to the calling operator, with what dialling it needs. */
        Lease: {
            expires_at: string;
            line: components["schemas"]["LeaseLine"];
            /** @description The list's talk script, else the line's. */
            script_id?: string | null;
            target: components["schemas"]["Target"];
        };
        /** @description Who holds a target's lease, until when. */
        LeaseHolder: {
            /** @description The lease ran out: another operator may take the target. */
            expired: boolean;
            expires_at: string;
            operator_id: string;
            operator_name: string;
        };
        /** @description The outbound line a leased target is dialled on. */
        LeaseLine: {
            display: string;
            id: string;
            label: string;
            /** @description E.164, the caller ID to dial with. */
            number: string;
        };
        /** @description An outbound line (caller ID) the organisation owns. */
        Line: {
            id: string;
            label: string;
            /** @description The label in English, for operators who use the page in English. */
            label_en?: string | null;
            number: string;
            /**
             * @description The queue this line's callers wait in, unless its menu sends them to another; absent:
             *     the first queue.
             */
            queue?: string | null;
            /** @description Record calls on this line. */
            recording?: boolean;
            /** @description The talk script shown when dialing on this line. */
            script_id?: string | null;
            /**
             * @description Transcribe this line's calls live in Japanese (リアルタイム文字起こし): both sides, shown
             *     beside the memo and on the board, kept with the call.
             */
            transcription?: boolean;
        };
        /** @description One line's audio. */
        LineMusic: {
            hold?: null | components["schemas"]["Audio"];
            wait?: null | components["schemas"]["Audio"];
        };
        /** @description A call as the page follows it. */
        LiveCall: {
            /**
             * @description The call record (status, customer, operator_id, operator_name, answered_at, …); the
             *     recording's link only for supervisors.
             */
            call: components["schemas"]["CallRecord"];
            /** @description Whether a consultation call is connected. */
            consult_in_progress: boolean;
            /** @description Whether the customer is on hold. */
            customer_held: boolean;
            /** @description The labels of the participants on hold now. */
            held: components["schemas"]["ParticipantLabel"][];
            /** @description The leg label of the call's operator now: `operator`, or `transfer` after a transfer. */
            operator_label: components["schemas"]["ParticipantLabel"];
            /**
             * @description Since when the customer has been held with nobody (the call heals itself after the
             *     configured `orphan_hold_seconds`).
             */
            orphaned_since: string | null;
            /** @description Each participant's latest state. */
            participants: components["schemas"]["Participant"][];
            /** @description Whether the customer is being reconnected to an operator (rung back, or back in line). */
            reconnecting: boolean;
            transfer: null | components["schemas"]["Transfer"];
            /** @description Whether a transfer is ringing or answered. */
            transfer_in_progress: boolean;
        };
        /** @description The screen pop: everything filed under a phone number. */
        Lookup: {
            accounts: components["schemas"]["Match"][];
            contacts: components["schemas"]["Match"][];
            /** @description As an operator reads it (`03-1234-5678`, `03-1234-5678 内線 123`). */
            display: string;
            /** @description Records of other objects with the number in a phone field. */
            others: components["schemas"]["Record"][];
            /** @description E.164, with `;ext=N` when the number was written with an extension. */
            phone: string;
        };
        /** @description A record matched by a phone lookup. */
        Match: {
            /** @description `phone` when the record has the number, `contact` when one of its contacts has it. */
            matched_by: string;
            record: components["schemas"]["Record"];
            special_notes: components["schemas"]["Note"][];
        };
        /** @description A call's memo. */
        Memo: {
            call_sid: string;
            response_status?: string | null;
            text: string;
            updated_at?: string | null;
            updated_by?: string | null;
            /**
             * Format: int64
             * @description 0 until the first save.
             */
            version: number;
        };
        /** @description A save: the version it was based on and the full text. */
        MemoSave: {
            /**
             * @description The page changed the response status since the version this save is based on: the save
             *     is written on the lease without the condition that it keeps the status (a write refused
             *     on it is billed like one), and the call is then moved in the reports. A hint of the
             *     order only: a wrong one costs a read or a refused write, never a wrong memo or count.
             */
            changes_status?: boolean;
            response_status?: string | null;
            text: string;
            /** Format: int64 */
            version: number;
        };
        /** @description A memo as its operator saved it, for the board. */
        MemoUpdate: {
            /** @description The customer's CallSid. */
            call: string;
            response_status?: string | null;
            text: string;
            updated_at?: string | null;
            /** Format: int64 */
            version: number;
        };
        /** @description A number's menu (or a sub-menu). */
        Menu: {
            /**
             * Format: int32
             * @description How many times the options are said before the default is taken (1–5).
             */
            attempts?: number;
            /** @description What a caller who chose nothing gets after the last attempt (not a sub-menu). */
            default: components["schemas"]["MenuAction"];
            /** @description Said once, before the options (「お電話ありがとうございます。〇〇サポートセンターです。」). */
            greeting: string;
            /** @description The options, in the order they are said. */
            options: components["schemas"]["MenuOption"][];
            /**
             * @description Also listen for the caller's words (ja-JP), matched against each option's keywords and
             *     its label.
             */
            speech?: boolean;
            /**
             * Format: int32
             * @description Seconds to wait for a key once the options are said (1–30).
             */
            timeout_seconds?: number;
        };
        /** @description Where an option leads. */
        MenuAction: {
            /** @enum {string} */
            action: "queue";
            queue?: string | null;
        } | {
            /** @enum {string} */
            action: "message";
            text: string;
        } | {
            /** @enum {string} */
            action: "voicemail";
        } | {
            /** @enum {string} */
            action: "submenu";
            menu: components["schemas"]["Menu"];
        };
        /** @description One option of a menu. */
        MenuOption: {
            action: components["schemas"]["MenuAction"];
            /** @description Names the choice on the call record (`billing`), for later routing by purpose. */
            id: string;
            /** @description `0`–`9`, `*` or `#`. */
            key: string;
            /** @description Words that choose the option when said (speech menus): 「料金」「請求」. */
            keywords?: string[];
            /** @description What the option is, as the caller hears it (「料金のお問い合わせ」). */
            label: string;
        };
        /** @description What a caller can hear from a menu being edited, in order (the admin page's preview). */
        MenuPreview: {
            prompts: string[];
        };
        /** @description What the server sends on the live channel. */
        Message: {
            call: string;
            /** @description Whether the call has ended. */
            ended: boolean;
            /** @description The call's status as stored (`ringing`, `in-progress`, `completed`, …). */
            status: string;
            /** @enum {string} */
            type: "call_changed";
        } | {
            operator: components["schemas"]["Operator"];
            /** @enum {string} */
            type: "presence_changed";
        } | {
            offer: components["schemas"]["TransferOffer"];
            /** @enum {string} */
            type: "transfer_offered";
        } | {
            section: string;
            /** @enum {string} */
            type: "settings_changed";
        } | {
            operator: components["schemas"]["Operator"];
            /** @enum {string} */
            type: "board_row_changed";
        } | {
            call: components["schemas"]["BoardCall"];
            ended: boolean;
            /** @description The operators the call involves (its operator, the one offered it, a transfer's ends). */
            operators: string[];
            /** @enum {string} */
            type: "board_call_changed";
        } | {
            memo: components["schemas"]["MemoUpdate"];
            /** @enum {string} */
            type: "memo_changed";
        } | {
            line: components["schemas"]["TranscriptLine"];
            /** @enum {string} */
            type: "transcript_line";
        } | {
            reason: string;
            /** @enum {string} */
            type: "board_changed";
        } | {
            topics: components["schemas"]["Topic"][];
            /** @enum {string} */
            type: "subscribed";
        } | {
            /** @enum {string} */
            type: "pong";
        } | {
            code: string;
            message: string;
            /** @enum {string} */
            type: "error";
        };
        /**
         * @description How a supervisor joins a call.
         * @enum {string}
         */
        MonitorMode: "listen" | "whisper" | "barge";
        /** @description A request to join or switch mode. */
        MonitorRequest: {
            mode: components["schemas"]["MonitorMode"];
        };
        /** @description What the page asks to upload. */
        MusicUploadRequest: {
            /** @description `audio/mpeg`, `audio/wav` or `audio/x-wav`. */
            content_type: string;
            /** @description The file's name: letters, digits, `-`, `_`, `.`, ending .mp3 or .wav. */
            file_name: string;
            /**
             * Format: int64
             * @description The file's size in bytes (1 byte to 10 MB).
             */
            size: number;
        };
        /** @description What an admin sends to create a list. */
        NewCallList: {
            description?: string | null;
            line_id: string;
            name: string;
            script_id?: string | null;
        };
        /** @description What an admin sends to start importing a file. */
        NewImport: {
            /**
             * @description The names of the file's columns (its header row, as the preview returned it). For a
             *     file without a header, any names, one per column.
             */
            columns: string[];
            encoding?: components["schemas"]["ImportEncoding"];
            file_name?: string | null;
            mapping: components["schemas"]["ColumnMapping"];
            /**
             * Format: int64
             * @description Rows the page expects to send, for its progress bar.
             */
            total_rows?: number | null;
        };
        /** @description What a client sends to create a record. */
        NewRecord: {
            account_id?: string | null;
            call_sid?: string | null;
            contact_id?: string | null;
            /** @description Field values by field name: text, a number or true/false as the field's type makes it; null clears a field in a patch. */
            fields: {
                [key: string]: string | number | boolean | null;
            };
        };
        /** @description A user to invite. Every field is required; each is checked and named when it is wrong. */
        NewUser: {
            /** @description The address the invitation (with a temporary password) is sent to; the user signs in with it. */
            email?: string | null;
            /** @description The display name shown in the console (1 to 100 characters). */
            name?: string | null;
            /** @description `operator`, `supervisor` or `admin`. */
            role?: string | null;
        };
        /** @description A special-notes (特記事項) entry of a popped-up record. */
        Note: {
            field: string;
            label: string;
            value: string;
        };
        /** @description A field shown under 特記事項 (special notes) when a record pops up. */
        NoteField: {
            field: string;
            object: string;
        };
        /** @description An object: its fields and how its records are titled. */
        ObjectDef: {
            /** @description Built-in objects cannot be removed, nor their built-in fields. */
            builtin?: boolean;
            fields: components["schemas"]["FieldDef"][];
            label: string;
            label_en?: string | null;
            name: string;
            subtitle_field?: string | null;
            /** @description The field shown as a record's title in lists. */
            title_field: string;
        };
        /** @description A object name: lower-case letters, digits and _, starting with a letter, at most 40 */
        ObjectName: string;
        /** @description An operator as the API shows them. */
        Operator: {
            after_call_status?: null | components["schemas"]["OperatorStatus"];
            /**
             * @description The callback task (a caller's CallSid) routing handed this operator in the caller's
             *     place: they were set 離席 (away) to dial the caller back, and are 受付可 again after that
             *     call. Gone once they dial or change their presence.
             */
            callback_task?: string | null;
            /** @description The customer call this operator is offered or talking on. */
            current_call?: string | null;
            /** @description An admin disabled this user: no calls, no presence changes, no Voice token. */
            disabled?: boolean;
            /**
             * @description 手上げ: since when the operator has had their hand up for a supervisor (lowered by them,
             *     or when a supervisor joins their call).
             */
            hand_raised_at?: string | null;
            id: string;
            name: string;
            /** @description The offer ringing on this operator's phone, if any. */
            offer_id?: string | null;
            released_at?: string | null;
            /**
             * @description The last call the system took this operator off by itself (its customer had already
             *     gone when they answered), when, and why (`customer_gone`): the page says so.
             */
            released_call?: string | null;
            released_reason?: string | null;
            role: components["schemas"]["Role"];
            /** @description The queues (ids) this operator takes calls from; absent: every queue. */
            skills?: string[] | null;
            /**
             * @description The presence (`available`, `away`, `wrap_up`, `break`, `offline`, `on_call`, or an
             *     admin-defined id).
             */
            status: components["schemas"]["OperatorStatus"];
            status_since: string;
            /** Format: int64 */
            version: number;
            /** @description The call the wrap-up follows. */
            wrap_up_call?: string | null;
            /** @description When wrap-up ends and the operator is available again. */
            wrap_up_until?: string | null;
        };
        /** @description A operator id: lower-case letters, digits and -, at most 64 */
        OperatorId: string;
        /** @description One operator's figures over the range. */
        OperatorRow: {
            figures: components["schemas"]["Figures"];
            id: string;
            name: string;
            presence: components["schemas"]["Presence"];
        };
        /** @description A presence id: available, away, wrap_up, break, offline, on_call (set by the system only), or an id an admin defined in presence_statuses */
        OperatorStatus: string;
        /**
         * @description How a call to a target ended, as the operator records it.
         * @enum {string}
         */
        Outcome: "done" | "no_answer" | "callback";
        /** @description A page of results. */
        Paged_CallList: {
            /** @description Pass back as `cursor` for the next page; absent on the last page. */
            cursor?: string | null;
            items: {
                counts: components["schemas"]["Counts"];
                created_at: string;
                created_by: string;
                description?: string | null;
                id: string;
                /** @description The outbound line (caller ID) the list is dialled on: an id of the settings' lines. */
                line_id: string;
                name: string;
                /** @description The talk script shown while calling: an id of the settings' scripts. */
                script_id?: string | null;
                updated_at: string;
                updated_by: string;
                /** Format: int64 */
                version: number;
            }[];
        };
        /** @description A page of results. */
        Paged_HistoryCall: {
            /** @description Pass back as `cursor` for the next page; absent on the last page. */
            cursor?: string | null;
            items: (components["schemas"]["CallSummary"] & {
                task?: null | components["schemas"]["Task"];
                transcript_hit?: null | components["schemas"]["TranscriptLine"];
            })[];
        };
        /** @description A page of results. */
        Paged_Hit: {
            /** @description Pass back as `cursor` for the next page; absent on the last page. */
            cursor?: string | null;
            items: {
                account_id?: string | null;
                id: string;
                /** @description The field the query matched best. */
                matched_field: string;
                object: string;
                /** @description The record's first phone number (E.164, as stored), for click-to-dial from the hit. */
                phone?: string | null;
                /** @description That number as an operator reads it (`03-1234-5678`). */
                phone_display?: string | null;
                /** Format: int32 */
                score: number;
                subtitle?: string | null;
                title: string;
            }[];
        };
        /** @description A page of results. */
        Paged_Record: {
            /** @description Pass back as `cursor` for the next page; absent on the last page. */
            cursor?: string | null;
            items: {
                account_id?: string | null;
                call_sid?: string | null;
                contact_id?: string | null;
                created_at: string;
                created_by?: string | null;
                /** @description Phone fields in the national form an operator reads (`03-1234-5678`). */
                display: {
                    [key: string]: string;
                };
                /** @description Field values by field name: text, a number or true/false as the field's type makes it; null clears a field in a patch. */
                fields: {
                    [key: string]: string | number | boolean | null;
                };
                id: string;
                object: string;
                subtitle?: string | null;
                title: string;
                updated_at: string;
                updated_by?: string | null;
                /** Format: int64 */
                version: number;
            }[];
        };
        /** @description A page of results. */
        Paged_Target: {
            /** @description Pass back as `cursor` for the next page; absent on the last page. */
            cursor?: string | null;
            items: {
                /** @description The CRM account the number belongs to, when it matched one. */
                account_id?: string | null;
                account_name?: string | null;
                /** Format: int32 */
                attempts: number;
                /** @description When a 再架電 target is due. */
                callback_at?: string | null;
                /** @description The CRM contact the number belongs to, when it matched one. */
                contact_id?: string | null;
                contact_name?: string | null;
                created_at: string;
                extra: components["schemas"]["ExtraValue"][];
                id: string;
                import_id: string;
                last_result?: null | components["schemas"]["TargetResult"];
                lease?: null | components["schemas"]["LeaseHolder"];
                list_id: string;
                /**
                 * @description What the operator sees first: the file's name column, else the contact, else the account,
                 *     else the number.
                 */
                name: string;
                notes?: string | null;
                /** @description E.164, as dialled. */
                phone: string;
                /** @description The national form an operator reads (`03-1234-5678`, `03-1234-5678 内線 123`). */
                phone_display: string;
                /** @description The extension to dial after the line answers, when the file wrote one (`内線 123`). */
                phone_extension?: string | null;
                /**
                 * Format: int64
                 * @description The line of the imported file the target came from.
                 */
                source_line: number;
                state: components["schemas"]["TargetState"];
                updated_at: string;
                /** Format: int64 */
                version: number;
            }[];
        };
        /** @description A participant of the call's conference as its last event left it. */
        Participant: {
            /** @description When the event happened (RFC 3339). */
            at: string;
            /** @description The participant's own leg (empty when Twilio did not name it). */
            call_sid: string;
            hold: boolean;
            label: components["schemas"]["ParticipantLabel"];
            muted: boolean;
            state: components["schemas"]["ParticipantState"];
        };
        /**
         * @description Who a leg of a call's conference is: the label every participant is given when it is added.
         * @enum {string}
         */
        ParticipantLabel: "customer" | "operator" | "transfer" | "consult" | "monitor";
        /**
         * @description Whether a participant is in the conference.
         * @enum {string}
         */
        ParticipantState: "joined" | "left";
        /** @description An operator's presence over the range. */
        Presence: {
            /**
             * Format: int64
             * @description Seconds 受付可 and waiting for a call: their 受付可 time less the calls and 後処理 in it.
             */
            available_seconds: number;
            /**
             * Format: int64
             * @description Seconds signed in (every presence but オフライン).
             */
            login_seconds: number;
            /**
             * Format: double
             * @description 占有率: (通話 + 保留 + 後処理) / (通話 + 保留 + 後処理 + 受付可), percent.
             */
            occupancy_percent?: number | null;
            /** @description Seconds in each presence they chose, by presence id (calls taken in it included). */
            status_seconds: {
                [key: string]: number;
            };
            /**
             * Format: double
             * @description 稼働率: (通話 + 保留 + 後処理 + 受付可) / ログイン時間, percent; absent with no login time.
             */
            utilisation_percent?: number | null;
        };
        /** @description An operator presence an admin added beside the built-in ones. */
        PresenceStatus: {
            id: string;
            label: string;
            label_en?: string | null;
        };
        /** @description The beginning of a file as the page shows it before an import. */
        Preview: {
            /** @description The first row: the header, when the file has one. */
            columns: string[];
            /** @description `utf-8`, `utf-8-bom` or `shift_jis`. */
            encoding: string;
            /** @description Up to five rows after the first. */
            rows: string[][];
            suggested: components["schemas"]["SuggestedMapping"];
        };
        /** @description One queue. */
        Queue: {
            /** @description Names the queue on waiting calls, lines, menu options and operators' skills. */
            id: string;
            /** @description The name supervisors and admins see (「料金窓口」). */
            name: string;
            /** @description The name in English, for those who use the page in English. */
            name_en?: string | null;
        };
        /** @description One queue (窓口) on the board. */
        QueueFigures: {
            id: string;
            /**
             * Format: int64
             * @description How long its longest-waiting caller has waited, seconds (0 when nobody waits).
             */
            longest_wait_seconds: number;
            name: string;
            name_en?: string | null;
            /**
             * Format: int64
             * @description Callers waiting in it: exact up to 1,000 a queue (a queue with more shows 1,000).
             */
            waiting: number;
        };
        /** @description A record as the API shows it. */
        Record: {
            account_id?: string | null;
            call_sid?: string | null;
            contact_id?: string | null;
            created_at: string;
            created_by?: string | null;
            /** @description Phone fields in the national form an operator reads (`03-1234-5678`). */
            display: {
                [key: string]: string;
            };
            /** @description Field values by field name: text, a number or true/false as the field's type makes it; null clears a field in a patch. */
            fields: {
                [key: string]: string | number | boolean | null;
            };
            id: string;
            object: string;
            subtitle?: string | null;
            title: string;
            updated_at: string;
            updated_by?: string | null;
            /** Format: int64 */
            version: number;
        };
        /**
         * @description Pause or resume a call's recording.
         * @enum {string}
         */
        RecordingAction: "pause" | "resume";
        /** @description A link to play a call's recording. */
        RecordingLink: {
            /** @description When the link stops working (RFC 3339). */
            expires_at: string;
            /**
             * Format: int64
             * @description The recording's length in seconds, when Twilio said.
             */
            seconds?: number | null;
            /** @description The path to give `<audio>` as its source (under the API's base URL). */
            url: string;
        };
        /** @description A recording change. */
        RecordingRequest: {
            action: components["schemas"]["RecordingAction"];
        };
        /**
         * @description What a client sends to change a record: the version it read, and the fields to change
         *     (`null` clears a field; fields left out stay as they are).
         */
        RecordPatch: {
            /** @description `Some(None)` unlinks the account. */
            account_id?: string | null;
            contact_id?: string | null;
            /** @description Field values by field name: text, a number or true/false as the field's type makes it; null clears a field in a patch. */
            fields?: {
                [key: string]: string | number | boolean | null;
            };
            /** Format: int64 */
            version: number;
        };
        /** @description The answer to a supervisor's release. */
        Release: {
            /** @description The call the operator was held by, if any. */
            call?: string | null;
            /** @description The operator as they are now. */
            operator: components["schemas"]["Operator"];
            outcome: components["schemas"]["ReleaseOutcome"];
        };
        /**
         * @description What a supervisor's release of an operator did.
         * @enum {string}
         */
        ReleaseOutcome: "released" | "already_free";
        /** @description A report of a range of days. */
        Report: {
            /** @description Every day of the range, in order (zeros on a day with no call). */
            days: components["schemas"]["DayRow"][];
            from: string;
            /** @description Each call list's results recorded in the range (its name as when last counted). */
            lists: components["schemas"]["GroupRow"][];
            operators: components["schemas"]["OperatorRow"][];
            /** @description The centre's presence: every operator's together. */
            presence: components["schemas"]["Presence"];
            queues: components["schemas"]["GroupRow"][];
            /**
             * Format: int32
             * @description The service-level threshold, seconds (calls counted with the setting of their day).
             */
            service_level_seconds: number;
            statuses: components["schemas"]["GroupRow"][];
            to: string;
            totals: components["schemas"]["Figures"];
        };
        /** @description The mapping as 1-based column numbers. */
        ResolvedMapping: {
            account?: number | null;
            contact?: number | null;
            extra: number[];
            name?: number | null;
            notes?: number | null;
            phone: number;
        };
        /** @description A choice of 対応ステータス (response status) for a call's memo. */
        ResponseStatus: {
            id: string;
            label: string;
            label_en?: string | null;
        };
        /** @description What an operator records when a call to a target ends. */
        ResultInput: {
            call_sid?: string | null;
            /** @description RFC 3339, in the future; required when `outcome` is `callback`. */
            callback_at?: string | null;
            memo?: string | null;
            outcome: components["schemas"]["Outcome"];
            /** @description One of the settings' response statuses (対応ステータス). */
            response_status: string;
        };
        /**
         * @description The roles of the console, lowest first: a supervisor can do all an operator can, an admin
         *     all a supervisor can.
         * @enum {string}
         */
        Role: "operator" | "supervisor" | "admin";
        /** @description A row that was not imported, and why. */
        RowFailure: {
            /** @description `wrong_column_count`, `missing_phone`, `invalid_phone`, `too_long` or `bad_encoding`. */
            code: string;
            /** @description The column at fault, when there is one. */
            column?: string | null;
            /**
             * Format: int64
             * @description The line of the file the row starts on.
             */
            line: number;
            reason: string;
        };
        /**
         * @description The screen pop: what the CRM files under a number ([`Lookup`]), with the first page of the
         *     number's calls when the lookup asks for it.
         */
        ScreenPop: components["schemas"]["Lookup"] & {
            calls?: null | components["schemas"]["Paged_HistoryCall"];
        };
        /** @description What the first operator's screen shows, sent along with a transfer (画面転送). */
        ScreenTransfer: {
            account_id?: string | null;
            contact_id?: string | null;
            inquiry?: null | components["schemas"]["InquiryDraft"];
            /** @description The conversation memo so far. */
            memo?: string | null;
            /** @description The response status chosen so far (one of the configured ids). */
            response_status?: string | null;
            special_notes?: components["schemas"]["SpecialNote"][];
        };
        /** @description An object searchable in the Data search region, and the fields searched. */
        SearchObject: {
            fields: string[];
            object: string;
        };
        /** @description A new value for one section, with the version it was based on (0 if never saved). */
        SectionUpdate: {
            /** @description The section's whole new value, shaped as the field of Settings the section names: `queues` a list of Queue (the first one the default), `waiting` a Waiting (each line's wait and hold audio, and after how long a waiting caller is offered a callback), `hours` and `menu` maps by line id, and so on. */
            value: components["schemas"]["Line"][] | components["schemas"]["ResponseStatus"][] | components["schemas"]["PresenceStatus"][] | components["schemas"]["NoteField"][] | string[] | components["schemas"]["SearchObject"][] | components["schemas"]["TalkScript"][] | components["schemas"]["ObjectDef"][] | components["schemas"]["CallHandling"] | components["schemas"]["Dialing"] | components["schemas"]["Shortcuts"] | {
                [key: string]: components["schemas"]["BusinessHours"];
            } | {
                [key: string]: components["schemas"]["Menu"];
            } | components["schemas"]["Waiting"] | components["schemas"]["Queue"][];
            /** Format: int64 */
            version: number;
        };
        /** @description Every section together, as the page reads them. */
        Settings: {
            call_handling: components["schemas"]["CallHandling"];
            /** @description The countries operators may call (premium-rate numbers never). */
            dialing?: components["schemas"]["Dialing"];
            history_tabs: string[];
            /** @description Business hours by line id; a line without any is always open. */
            hours?: {
                [key: string]: components["schemas"]["BusinessHours"];
            };
            lines: components["schemas"]["Line"][];
            /** @description The IVR menu by line id; a line without one puts callers straight in the queue. */
            menu?: {
                [key: string]: components["schemas"]["Menu"];
            };
            objects: components["schemas"]["ObjectDef"][];
            presence_statuses: components["schemas"]["PresenceStatus"][];
            /**
             * @description The queues (窓口) callers wait in, the first one the default; 「総合窓口」 alone until an
             *     admin sets them.
             */
            queues?: components["schemas"]["Queue"][];
            response_statuses: components["schemas"]["ResponseStatus"][];
            scripts: components["schemas"]["TalkScript"][];
            search: components["schemas"]["SearchObject"][];
            /** @description The keyboard shortcuts for answer, hang-up, hold, mute and transfer. */
            shortcuts?: components["schemas"]["Shortcuts"];
            special_notes: components["schemas"]["NoteField"][];
            /** @description The version of each section, for optimistic updates. */
            versions: {
                [key: string]: number;
            };
            /** @description Each line's wait and hold audio, and when a waiting caller is offered a callback. */
            waiting?: components["schemas"]["Waiting"];
        };
        /**
         * @description The sections `PUT /api/settings/{section}` replaces: each a field of `Settings` (`hours` and
         *     `menu` by line id; `waiting` each line's wait and hold audio and the callback offer's delay;
         *     `queues` the queues (窓口) callers wait in and operators take by skill).
         * @enum {string}
         */
        SettingsSection: "lines" | "response_statuses" | "presence_statuses" | "special_notes" | "history_tabs" | "search" | "scripts" | "objects" | "call_handling" | "dialing" | "shortcuts" | "hours" | "menu" | "waiting" | "queues";
        /** @description A key combination per action, written `Ctrl+Alt+A`, `Alt+Shift+H` or `F9`. */
        Shortcuts: {
            /** @description 応答: answers the call ringing. */
            answer: string;
            /** @description 切断: hangs up. */
            hang_up: string;
            /** @description 保留 / 保留解除. */
            hold: string;
            /** @description ミュート / ミュート解除. */
            mute: string;
            /** @description 転送: opens the transfer dialog. */
            transfer: string;
        };
        /** @description The queues an operator takes. */
        Skills: {
            /** @description Queue ids from the `queues` settings; an empty list takes every queue. */
            queues: string[];
        };
        /**
         * @description Every operator's skills, by operator id: only operators an admin gave skills appear (the
         *     others take every queue).
         */
        SkillsList: {
            skills: {
                [key: string]: string[];
            };
        };
        /** @description A span of a day when the number is open: `09:00`–`18:00`; `24:00` ends at midnight. */
        Span: {
            /** @description `HH:MM`, after `start`, at most 24:00. */
            end: string;
            /** @description `HH:MM`, 00:00 to 23:59. */
            start: string;
        };
        /**
         * @description Who said a phrase.
         * @enum {string}
         */
        Speaker: "customer" | "operator";
        /** @description A special note (特記事項) as the first operator's page showed it. */
        SpecialNote: {
            label: string;
            value: string;
        };
        /** @description A presence change. */
        StatusChange: {
            /** @description `available`, `away`, `wrap_up`, `break`, `offline` or an admin-defined id. */
            status: components["schemas"]["OperatorStatus"];
        };
        /** @description A mapping the page can offer before the admin adjusts it: column names by what they hold. */
        SuggestedMapping: {
            account?: string | null;
            contact?: string | null;
            extra: string[];
            name?: string | null;
            notes?: string | null;
            phone?: string | null;
        };
        /** @description A talk script. */
        TalkScript: {
            body: string;
            id: string;
            title: string;
            /**
             * @description The title in English, for operators who use the page in English (the body is what they
             *     say to the customer, in Japanese).
             */
            title_en?: string | null;
        };
        /** @description A person or company to call. */
        Target: {
            /** @description The CRM account the number belongs to, when it matched one. */
            account_id?: string | null;
            account_name?: string | null;
            /** Format: int32 */
            attempts: number;
            /** @description When a 再架電 target is due. */
            callback_at?: string | null;
            /** @description The CRM contact the number belongs to, when it matched one. */
            contact_id?: string | null;
            contact_name?: string | null;
            created_at: string;
            extra: components["schemas"]["ExtraValue"][];
            id: string;
            import_id: string;
            last_result?: null | components["schemas"]["TargetResult"];
            lease?: null | components["schemas"]["LeaseHolder"];
            list_id: string;
            /**
             * @description What the operator sees first: the file's name column, else the contact, else the account,
             *     else the number.
             */
            name: string;
            notes?: string | null;
            /** @description E.164, as dialled. */
            phone: string;
            /** @description The national form an operator reads (`03-1234-5678`, `03-1234-5678 内線 123`). */
            phone_display: string;
            /** @description The extension to dial after the line answers, when the file wrote one (`内線 123`). */
            phone_extension?: string | null;
            /**
             * Format: int64
             * @description The line of the imported file the target came from.
             */
            source_line: number;
            state: components["schemas"]["TargetState"];
            updated_at: string;
            /** Format: int64 */
            version: number;
        };
        /** @description A target with the results of every call made to it, newest first. */
        TargetDetail: {
            results: components["schemas"]["TargetResult"][];
            target: components["schemas"]["Target"];
        };
        /** @description The result of one call to a target. */
        TargetResult: {
            at: string;
            /** Format: int32 */
            attempt: number;
            call_sid?: string | null;
            callback_at?: string | null;
            memo?: string | null;
            operator_id: string;
            operator_name: string;
            outcome: components["schemas"]["Outcome"];
            response_status: string;
        };
        /**
         * @description Where a target is in the work.
         * @enum {string}
         */
        TargetState: "not_called" | "in_progress" | "no_answer" | "done" | "callback";
        /** @description A task as operators see it. */
        Task: {
            created_at: string;
            /** @description The caller's number (E.164), absent when withheld. */
            customer?: string | null;
            done_at?: string | null;
            done_by_name?: string | null;
            /** @description The caller's CallSid. */
            id: string;
            kind: components["schemas"]["TaskKind"];
            /** @description The holder's lease ran out: another operator may take the task. */
            lease_expired?: boolean;
            lease_until?: string | null;
            /** @description The line (settings id) the caller called, which the callback is dialled on. */
            line_id?: string | null;
            /** @description The line's number (E.164). */
            line_number?: string | null;
            /** @description The caller's place: when they joined the queue (a callback) or left the message. */
            place_at: string;
            /** Format: int64 */
            recording_seconds?: number | null;
            /** @description The voicemail's recording and its length in seconds. */
            recording_sid?: string | null;
            state: components["schemas"]["TaskState"];
            taken_by?: string | null;
            taken_by_name?: string | null;
            /** @description What the caller said (ja-JP real-time transcription), phrase by phrase. */
            transcript?: string | null;
            /** @description The transcription ended (no more phrases will come). */
            transcript_complete?: boolean;
            /** Format: int64 */
            version: number;
        };
        /**
         * @description What the caller left.
         * @enum {string}
         */
        TaskKind: "voicemail" | "callback";
        /** @description A page of tasks. */
        TaskPage: {
            tasks: components["schemas"]["Task"][];
        };
        /**
         * @description Where a task is.
         * @enum {string}
         */
        TaskState: "open" | "taken" | "done";
        /**
         * @description What a connection can subscribe to.
         * @enum {string}
         */
        Topic: "calls" | "presence" | "transfers" | "settings" | "board";
        /** @description One final phrase of a call's transcript. */
        TranscriptLine: {
            /** @description When it was heard (RFC 3339). */
            at: string;
            /** @description The customer's CallSid. */
            call: string;
            /**
             * Format: int64
             * @description Its place in the transcription's sequence (from 1): lines sort by it.
             */
            seq: number;
            speaker: components["schemas"]["Speaker"];
            text: string;
        };
        /** @description A transfer as the page follows it (the last one stays on the call after it ended). */
        Transfer: {
            answered_at?: string | null;
            /** @description Who asked for the transfer (the first operator, or a supervisor). */
            by: string;
            ended_at?: string | null;
            from_label: components["schemas"]["ParticipantLabel"];
            /** @description Whether the first operator's leg has left the conference. */
            from_left: boolean;
            from_name: string;
            /** @description The operator handing the call over. */
            from_operator: string;
            /** @description The screen transfer's id, when one was sent. */
            handoff_id?: string | null;
            id: string;
            mode: components["schemas"]["TransferMode"];
            /**
             * @description Why it failed: `no_answer`, `busy` (a softphone that declined reports busy), `failed`,
             *     `canceled`, `timeout`, `target_left`, `call_ended`, `not_rung`.
             */
            reason?: string | null;
            /** @description When an unanswered ring counts as rung out even if Twilio never said so. */
            ring_until: string;
            /** @description When the first operator was rung back after a cold transfer failed. */
            rung_back_at?: string | null;
            started_at: string;
            state: components["schemas"]["TransferState"];
            /**
             * @description The participant label of the target's leg: `transfer`, or `operator` when the call's
             *     operator is already on a `transfer` leg (a call transferred twice).
             */
            to_label: components["schemas"]["ParticipantLabel"];
            to_name: string;
            /** @description The operator the call is handed to. */
            to_operator: string;
        };
        /**
         * @description Warm: the first operator talks to the target while the customer is held, then leaves.
         *     Cold: the first operator leaves at once; the customer is held until the target answers.
         * @enum {string}
         */
        TransferMode: "warm" | "cold";
        /** @description A call offered to the user as a transfer's target. */
        TransferOffer: {
            /** @description The customer's CallSid. */
            call: string;
            from_name: string;
            from_operator: string;
            /** @description `warm` or `cold`. */
            mode: string;
            transfer_id: string;
        };
        /** @description A transfer to another operator. */
        TransferRequest: {
            /** @description `warm`: you talk to them first, then hang up; `cold`: you leave at once. */
            mode: components["schemas"]["TransferMode"];
            screen?: null | components["schemas"]["ScreenTransfer"];
            /** @description The operator to hand the call to (signed in, not on a call). */
            to_operator: string;
        };
        /**
         * @description Where a transfer is.
         * @enum {string}
         */
        TransferState: "ringing" | "answered" | "completed" | "failed" | "canceled";
        /** @description A national holiday in the preview. */
        UpcomingHoliday: {
            /** @description `YYYY-MM-DD`. */
            date: string;
            name: string;
        };
        /** @description The headers of the upload. */
        UploadHeaders: {
            "content-type": string;
        };
        /** @description Where and how the browser sends the file. */
        UploadTarget: {
            /** @description The headers to send with it (`content-type`, which the URL's signature covers). */
            headers: components["schemas"]["UploadHeaders"];
            /** @description Always `PUT`. */
            method: string;
            /** @description The file's path in the page's bucket, for the line's `waiting` setting. */
            path: string;
            /** @description The URL to PUT the file's bytes to. */
            upload_url: string;
        };
        /** @description One page of users, and the cursor of the next page. */
        UserPage: {
            /** @description Send it back as `cursor` for the next page; absent on the last page. */
            next_cursor?: string | null;
            users: components["schemas"]["DirectoryUser"][];
        };
        /** @description A change to a user: a new role, `enabled`, or both. */
        UserUpdate: {
            /**
             * @description false disables the user: they cannot sign in, get no Voice token and are taken out of
             *     call routing at once (a call in progress goes on). true enables them again.
             */
            enabled?: boolean | null;
            /**
             * @description `operator`, `supervisor` or `admin`; it takes effect when the user next signs in (their
             *     next token carries it).
             */
            role?: string | null;
        };
        /** @description A Voice access token. */
        VoiceToken: {
            expires_at: string;
            /** @description The Twilio client identity the token registers. */
            identity: string;
            token: string;
        };
        /** @description The `waiting` section. */
        Waiting: {
            /**
             * Format: int32
             * @description Seconds a caller waits before being offered a callback that keeps their place; 0 never.
             */
            callback_after_seconds?: number;
            /** @description Each line's audio, by line id. */
            music?: {
                [key: string]: components["schemas"]["LineMusic"];
            };
        };
        /** @description The spans of each day of the week. */
        Weekly: {
            fri?: components["schemas"]["Span"][];
            mon?: components["schemas"]["Span"][];
            sat?: components["schemas"]["Span"][];
            sun?: components["schemas"]["Span"][];
            thu?: components["schemas"]["Span"][];
            tue?: components["schemas"]["Span"][];
            wed?: components["schemas"]["Span"][];
        };
        /** @description What a caller gets while the number is closed. */
        WhenClosed: {
            /** @enum {string} */
            action: "message";
            text: string;
        } | {
            /** @enum {string} */
            action: "voicemail";
            greeting: string;
        } | {
            /** @enum {string} */
            action: "forward";
            number: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    list_lists: {
        parameters: {
            query?: {
                /** @description The `cursor` of the previous page. */
                cursor?: string | null;
                /** @description At most this many (lists: 1–25, default 25; targets: 1–200, default 50). */
                limit?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Paged_CallList"];
                };
            };
            /** @description bad cursor */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    create_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewCallList"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CallList"];
                };
            };
            /** @description a field is invalid; `field` names it */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    read_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                list: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CallList"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    update_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                list: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CallListUpdate"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CallList"];
                };
            };
            /** @description changed by someone else */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    delete_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                list: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description partly deleted: send again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeleteProgress"];
                };
            };
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    start_import: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                list: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewImport"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Import"];
                };
            };
            /** @description the mapping names a column the file does not have */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    read_import: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                import: string;
                list: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Import"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    import_chunk: {
        parameters: {
            query: {
                /**
                 * @description The line of the file the chunk's first row is on (2 for the first chunk of a file with a
                 *     header line, which the chunk leaves out).
                 */
                first_line: number;
            };
            header?: never;
            path: {
                import: string;
                list: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "text/csv": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkResponse"];
                };
            };
            /** @description a different chunk was imported at this line */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description too many rows or bytes: send smaller chunks */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    preview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                list: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "text/csv": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preview"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not a CSV file */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    lease_next: {
        parameters: {
            query?: {
                /** @description How long the lease lasts, 30–3600 seconds (default 600). */
                seconds?: number | null;
            };
            header?: never;
            path: {
                list: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Lease"];
                };
            };
            /** @description nothing left to call */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    queue: {
        parameters: {
            query?: {
                /** @description 1–100, default 20. */
                limit?: number | null;
            };
            header?: never;
            path: {
                list: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Paged_Target"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_targets: {
        parameters: {
            query?: {
                cursor?: string | null;
                /** @description 1–200, default 50. */
                limit?: number | null;
                /** @description Only targets in this state: not_called, in_progress, no_answer, done or callback. */
                state?: string | null;
            };
            header?: never;
            path: {
                list: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Paged_Target"];
                };
            };
            /** @description unknown state or bad cursor */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    read_target: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                list: string;
                target: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TargetDetail"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    lease: {
        parameters: {
            query?: {
                /** @description How long the lease lasts, 30–3600 seconds (default 600). */
                seconds?: number | null;
            };
            header?: never;
            path: {
                list: string;
                target: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Lease"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description held by another operator, done, or the list's line is gone */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    release: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                list: string;
                target: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Target"];
                };
            };
            /** @description the caller does not hold the target */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    record_result: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                list: string;
                target: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResultInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Target"];
                };
            };
            /** @description the caller does not hold the target */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unknown response status, bad or past callback time */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    live: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LiveCall"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    consult: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsultRequest"];
            };
        };
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the customer is not on hold, or the call ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    end_consult: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    hand_over_to_consulted: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the other party is not connected, a transfer is under way, or the call ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    hand_to_outside_number: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsultRequest"];
            };
        };
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a consultation or transfer is under way, or the call ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the number is invalid, barred by the dial-out policy, or the line unknown */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    hangup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    hold: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    recording: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecordingRequest"];
            };
        };
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the call ended or is not being recorded */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    recording_link: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingLink"];
                };
            };
            /** @description may not play this call's recording */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no such call, no recording, or deleted after its retention period */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    rejoin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description still connected, or the call ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    transfer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TransferRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Transfer"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the call ended or is already being transferred, the target is signed out or busy, or the customer is not connected */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unknown operator, yourself, or a screen transfer field to fix (named in `field`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    cancel_transfer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Transfer"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no transfer under way, or a cold one */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    unhold: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    current: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": null | components["schemas"]["LiveCall"];
                };
            };
        };
    };
    dial_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DialRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DialCheck"];
                };
            };
            /** @description an invalid number, a barred country, a premium-rate number, or an unknown line (named in `field`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_tasks: {
        parameters: {
            query?: {
                /** @description `true` for the finished tasks (latest first); open and taken ones otherwise. */
                done?: boolean;
                /** @description At most this many (1–100, 50 by default). */
                limit?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskPage"];
                };
            };
        };
    };
    finish_task: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    task_recording_link: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingLink"];
                };
            };
            /** @description no such task, or it has no recording yet */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    take_task: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    undo_task: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    lookup: {
        parameters: {
            query: {
                /**
                 * @description Also the first page of the number's calls (対応履歴), this many (1 to 100), as
                 *     `GET /api/history/calls?phone=` lists them: the screen pop and its history in one request.
                 */
                calls?: number | null;
                /** @description The number in any common form: 03-1234-5678, ０３（１２３４）５６７８, +81 3 1234 5678. */
                phone: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScreenPop"];
                };
            };
            /** @description not a phone number, or `calls` out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    create: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                object: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewRecord"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Record"];
                };
            };
            /** @description over 400 KB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a field is invalid */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    read_record: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                object: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Record"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    update_record: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                object: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecordPatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Record"];
                };
            };
            /** @description changed by someone else; body has the current record */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    remove: {
        parameters: {
            query: {
                /** @description The version being deleted (a stale one gets 409). */
                version: number;
            };
            header?: never;
            path: {
                id: string;
                object: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    search: {
        parameters: {
            query: {
                cursor?: string | null;
                limit?: number | null;
                /** @description The object to search (one of the objects configured for data search). */
                object: string;
                /** @description At least two characters; kana, full/half width and case are folded. */
                q: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Paged_Hit"];
                };
            };
            /** @description query too short or object not searchable */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    handoff: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Handoff"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    calls: {
        parameters: {
            query?: {
                account?: string | null;
                contact?: string | null;
                cursor?: string | null;
                /** @description 1 to 100, default 20. */
                limit?: number | null;
                phone?: string | null;
                /**
                 * @description Only calls whose memo or live transcript holds this word (1 to 50 characters); a page
                 *     then covers at most 20 calls, and its cursor goes on to older ones.
                 */
                q?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Paged_HistoryCall"];
                };
            };
        };
    };
    records: {
        parameters: {
            query?: {
                account?: string | null;
                contact?: string | null;
                cursor?: string | null;
                /** @description 1 to 100, default 20. */
                limit?: number | null;
                phone?: string | null;
                /**
                 * @description Only calls whose memo or live transcript holds this word (1 to 50 characters); a page
                 *     then covers at most 20 calls, and its cursor goes on to older ones.
                 */
                q?: string | null;
            };
            header?: never;
            path: {
                object: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Paged_Record"];
                };
            };
        };
    };
    recording_media: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the whole recording (WAV) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "audio/x-wav": string;
                };
            };
            /** @description a part of the recording (WAV) */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "audio/x-wav": string;
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    read_memo: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Memo"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    save: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MemoSave"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Memo"];
                };
            };
            /** @description saved meanwhile elsewhere; body has the current memo */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    read_transcript: {
        parameters: {
            query?: {
                /**
                 * @description Only the last this many phrases (1–20), still in the order they were said: what the
                 *     board's card of a call shows when it is opened mid-call. The whole transcript otherwise.
                 */
                last?: number | null;
            };
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TranscriptLine"][];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description last outside 1–20 */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    board: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Board"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    join: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MonitorRequest"];
            };
        };
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the call ended, nobody is on it, the operator is on hold (whisper), or another supervisor is monitoring */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    leave: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description another supervisor is monitoring */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    release_operator: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                operator: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Release"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description call_live: Twilio says the operator's call is still connected */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_operators: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Operator"][];
                };
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Operator"];
                };
            };
        };
    };
    set_hand: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["HandRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Operator"];
                };
            };
            /** @description a disabled user */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description offline */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    set_status: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StatusChange"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Operator"];
                };
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    report: {
        parameters: {
            query?: {
                from?: string | null;
                to?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Report"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the range is missing, malformed, reversed or over 92 days */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    export_calls: {
        parameters: {
            query?: {
                /** @description The previous page's `X-Next-Cursor` (history export only). */
                cursor?: string | null;
                /** @description `utf8` (UTF-8 with a BOM, the default) or `sjis` (Shift_JIS, Windows-31J). */
                encoding?: string | null;
                from?: string | null;
                /** @description Calls per page, 1 to 100 (default 100; history export only). */
                limit?: number | null;
                to?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    "X-Next-Cursor"?: string;
                    "X-Replaced-Rows"?: string;
                    "X-Rows"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    export_report: {
        parameters: {
            query?: {
                /** @description The previous page's `X-Next-Cursor` (history export only). */
                cursor?: string | null;
                /** @description `utf8` (UTF-8 with a BOM, the default) or `sjis` (Shift_JIS, Windows-31J). */
                encoding?: string | null;
                from?: string | null;
                /** @description Calls per page, 1 to 100 (default 100; history export only). */
                limit?: number | null;
                to?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    read_settings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Settings"];
                };
            };
        };
    };
    write: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The section to replace: a field of Settings */
                section: components["schemas"]["SettingsSection"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SectionUpdate"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Settings"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    preview_hours: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BusinessHours"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HoursPreview"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    preview_menu: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Menu"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MenuPreview"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    music_upload: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MusicUploadRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadTarget"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    token: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VoiceToken"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_users: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page; absent for the first page. */
                cursor?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPage"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    invite: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewUser"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DirectoryUser"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    update_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id (the operator id) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserUpdate"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DirectoryUser"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    set_skills: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id (the operator id) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Skills"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Skills"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_skills: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SkillsList"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
